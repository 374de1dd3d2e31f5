package io.meridian.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.meridian.rag.eval.RetrievalMetrics;

/** The metrics against values worked out by hand (trec_eval's definitions: gain = grade, discount = log2(rank + 1)). */
class RetrievalMetricsTest {

    // judged: a=3, b=2, c=1 relevant; d=0 judged not relevant. Ranking: d, a, x (unjudged), c.
    private final Map<String, Integer> judged = Map.of("a", 3, "b", 2, "c", 1, "d", 0);
    private final List<String> ranking = List.of("d", "a", "x", "c");

    @Test
    void ndcgAtTen() {
        // DCG  = 0/log2(2) + 3/log2(3) + 0/log2(4) + 1/log2(5) = 1.892789 + 0.430677 = 2.323466
        // IDCG = 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.261860 + 0.5 = 4.761860
        assertThat(RetrievalMetrics.ndcg(ranking, judged, 10)).isCloseTo(2.323466 / 4.761860, within(1e-6));
    }

    @Test
    void ndcgIsCutAtK() {
        // @2: DCG = 3/log2(3) = 1.892789; IDCG@2 = 3 + 2/log2(3) = 4.261860
        assertThat(RetrievalMetrics.ndcg(ranking, judged, 2)).isCloseTo(1.892789 / 4.261860, within(1e-6));
        assertThat(RetrievalMetrics.ndcg(List.of("a", "b", "c"), judged, 10)).isCloseTo(1.0, within(1e-12));
        assertThat(RetrievalMetrics.ndcg(List.of("x", "d"), judged, 10)).isZero();
    }

    @Test
    void recallAndReciprocalRank() {
        assertThat(RetrievalMetrics.recall(ranking, judged, 10)).isCloseTo(2.0 / 3.0, within(1e-12));
        assertThat(RetrievalMetrics.recall(ranking, judged, 2)).isCloseTo(1.0 / 3.0, within(1e-12));
        assertThat(RetrievalMetrics.reciprocalRank(ranking, judged, 10)).isCloseTo(0.5, within(1e-12));
        assertThat(RetrievalMetrics.reciprocalRank(ranking, judged, 1)).isZero();
        assertThat(RetrievalMetrics.reciprocalRank(List.of(), judged, 10)).isZero();
    }
}
