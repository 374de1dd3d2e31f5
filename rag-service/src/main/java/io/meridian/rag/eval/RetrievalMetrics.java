package io.meridian.rag.eval;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Ranking quality of one query, as trec_eval computes it: nDCG@k with the graded relevance as gain and
 * log2(rank + 1) as discount, normalised by the ideal ranking of every judged relevant document; recall@k; and the
 * reciprocal rank of the first relevant document within k (0 if none). Unjudged documents count as not relevant.
 */
public final class RetrievalMetrics {

    private RetrievalMetrics() {
    }

    /** nDCG@k of {@code ranking} (document ids, best first) against {@code judged} (id to grade). */
    public static double ndcg(List<String> ranking, Map<String, Integer> judged, int k) {
        double dcg = 0;
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            int grade = Math.max(0, judged.getOrDefault(ranking.get(i), 0));
            dcg += grade / log2(i + 2);
        }
        List<Integer> ideal = judged.values().stream().filter(g -> g > 0).sorted(Comparator.reverseOrder()).toList();
        double idcg = 0;
        for (int i = 0; i < Math.min(k, ideal.size()); i++) {
            idcg += ideal.get(i) / log2(i + 2);
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }

    /** The share of the relevant documents found in the first k. */
    public static double recall(List<String> ranking, Map<String, Integer> judged, int k) {
        long relevant = judged.values().stream().filter(g -> g > 0).count();
        if (relevant == 0) {
            return 0;
        }
        long found = ranking.stream().limit(k).filter(id -> judged.getOrDefault(id, 0) > 0).count();
        return (double) found / relevant;
    }

    /** 1 / rank of the first relevant document within the first k, or 0. */
    public static double reciprocalRank(List<String> ranking, Map<String, Integer> judged, int k) {
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            if (judged.getOrDefault(ranking.get(i), 0) > 0) {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
