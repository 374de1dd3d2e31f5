package io.meridian.rag.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;
import io.meridian.platform.problem.ProblemException;
import io.meridian.rag.client.ChunkIndex;
import io.meridian.rag.config.RagConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Search in three modes over the caller's own collections, in the search engine ({@link ChunkIndex}): keyword (BM25,
 * english analyzer), vector (k-NN, cosine) and hybrid (the keyword list asked at once while the query is embedded and
 * the vector list asked, then fused here: by
 * normalised score combination or reciprocal rank fusion, {@code meridian.rag.search.fusion}). The passages come from
 * PostgreSQL, the source of truth, for the caller only: a chunk deleted but not yet out of the engine is left out.
 */
@ApplicationScoped
public class SearchService {

    public enum Mode {
        KEYWORD, VECTOR, HYBRID
    }

    /** One passage found, as the API shows it. */
    public record Result(UUID documentId, String externalId, String title, long chunkId, String text, double score) {
    }

    /** How hybrid search fuses its two lists. */
    public enum Fusion {
        RRF, MIN_MAX, Z_SCORE;

        public static Fusion of(String name) {
            return switch (name.strip().toLowerCase(Locale.ROOT)) {
                case "rrf" -> RRF;
                case "min-max", "minmax" -> MIN_MAX;
                case "z-score", "zscore" -> Z_SCORE;
                default -> throw new IllegalArgumentException("meridian.rag.search.fusion must be rrf, min-max or "
                        + "z-score, not " + name);
            };
        }
    }

    private record Ranked(long chunkId, double score) {
    }

    private final AgroalDataSource dataSource;
    private final ChunkIndex index;
    private final Embeddings embeddings;
    private final RagConfig config;
    private final RagCache cache;
    private final QueryLog queries;
    private final Fusion fusion;
    private final Map<Mode, Timer> latency = new HashMap<>();
    /** Keyword halves of hybrid searches, each on a virtual thread (they wait on the engine). */
    private final ExecutorService keywordHalves = Executors.newVirtualThreadPerTaskExecutor();

    SearchService(AgroalDataSource dataSource, ChunkIndex index, Embeddings embeddings, RagConfig config,
            RagCache cache, QueryLog queries, MeterRegistry registry) {
        this.index = index;
        this.cache = cache;
        this.queries = queries;
        this.dataSource = dataSource;
        this.embeddings = embeddings;
        this.config = config;
        this.fusion = Fusion.of(config.search().fusion());
        for (Mode mode : Mode.values()) {
            latency.put(mode, Timer.builder("meridian.rag.search").description("Search latency by mode")
                    .tag("mode", mode.name().toLowerCase(Locale.ROOT)).publishPercentiles(0.5, 0.95)
                    .register(registry));
        }
    }

    public List<Result> search(UUID owner, String query, List<UUID> collectionIds, int topK, Mode mode) {
        return search(owner, query, collectionIds, topK, mode, fusion);
    }

    /** The same with a fusion of the caller's choosing (the evaluation compares them). */
    public List<Result> search(UUID owner, String query, List<UUID> collectionIds, int topK, Mode mode, Fusion fusion) {
        queries.record(query);
        return latency.get(mode).record(() -> {
            checkOwned(owner, collectionIds);
            // HNSW is approximate: asking for more neighbours than shown keeps the top ones close to the exact answer
            int candidates = mode == Mode.KEYWORD ? topK : Math.max(topK, config.search().hybridCandidates());
            ChunkIndex.Answers answers;
            try {
                answers = mode == Mode.HYBRID ? hybrid(owner, query, collectionIds, candidates)
                        : index.search(owner, collectionIds, mode == Mode.VECTOR ? null : query,
                                mode == Mode.KEYWORD ? null : embedding(owner, query), candidates);
            } catch (ChunkIndex.EngineException e) {
                throw ProblemException.unavailable("Search is unavailable for a moment; try again shortly.");
            }
            List<Ranked> ranked = switch (mode) {
                case KEYWORD -> ranked(answers.keyword(), topK);
                case VECTOR -> ranked(answers.vector(), topK);
                case HYBRID -> fuse(fusion, answers.keyword(), answers.vector(), topK);
            };
            return details(owner, ranked);
        });
    }

    /**
     * Both halves of a hybrid search: the keyword half goes to the engine at once, on a thread of its own, while the
     * query is embedded and the vector half asked; a new query then costs the longer of the two paths, not their sum
     * (at a million chunks: 54 ms p50 one after the other, see docs/services/rag.md).
     */
    private ChunkIndex.Answers hybrid(UUID owner, String query, List<UUID> collectionIds, int candidates) {
        Future<ChunkIndex.Answers> keyword = keywordHalves.submit(
                () -> index.search(owner, collectionIds, query, null, candidates));
        try {
            ChunkIndex.Answers vector = index.search(owner, collectionIds, null, embedding(owner, query), candidates);
            return new ChunkIndex.Answers(keyword.get().keyword(), vector.vector());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChunkIndex.EngineException("interrupted while searching", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            keyword.cancel(true); // when the vector half failed: nobody waits for this one
        }
    }

    @PreDestroy
    void stop() {
        keywordHalves.shutdownNow();
    }

    /** 404 unless every collection is the caller's. */
    public void checkOwned(UUID owner, List<UUID> collectionIds) {
        Set<UUID> owned = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select id from collection where owner_id = ? and id = any(?)")) {
            statement.setObject(1, owner);
            statement.setArray(2, connection.createArrayOf("uuid", collectionIds.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    owned.add(rows.getObject(1, UUID.class));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read collections", e);
        }
        for (UUID id : collectionIds) {
            if (!owned.contains(id)) {
                throw ProblemException.notFound("No collection " + id + ".");
            }
        }
    }

    private float[] embedding(UUID owner, String query) {
        String key = embeddings.modelName() + "\n" + query; // a change of model is a miss, not a foreign vector
        return cache.embedding(owner, key).orElseGet(() -> {
            float[] computed = embeddings.embedQuery(query);
            cache.putEmbedding(owner, key, computed);
            return computed;
        });
    }

    private static List<Ranked> ranked(List<ChunkIndex.Found> found, int limit) {
        return found.stream().limit(limit).map(f -> new Ranked(f.chunkId(), f.score())).toList();
    }

    /**
     * One list from two: reciprocal rank fusion adds 1 / (k + rank) from each list; min-max and z-score bring each
     * list's scores to one scale (a chunk absent from a list gets that list's floor: 0, or its lowest z) and add them,
     * the vector list weighted by {@code vector-weight}.
     */
    private List<Ranked> fuse(Fusion fusion, List<ChunkIndex.Found> keyword, List<ChunkIndex.Found> vector, int limit) {
        Map<Long, Double> scores = new HashMap<>();
        if (fusion == Fusion.RRF) {
            int k = config.search().rrfK();
            for (List<ChunkIndex.Found> list : List.of(keyword, vector)) {
                for (int rank = 0; rank < list.size(); rank++) {
                    scores.merge(list.get(rank).chunkId(), 1.0 / (k + rank + 1), Double::sum);
                }
            }
        } else {
            double w = config.search().vectorWeight();
            Map<Long, Double> lexical = normalised(fusion, keyword);
            Map<Long, Double> semantic = normalised(fusion, vector);
            double lexicalFloor = floor(fusion, lexical);
            double semanticFloor = floor(fusion, semantic);
            Set<Long> all = new HashSet<>(lexical.keySet());
            all.addAll(semantic.keySet());
            for (long id : all) {
                scores.put(id, (1 - w) * lexical.getOrDefault(id, lexicalFloor) + w * semantic.getOrDefault(id, semanticFloor));
            }
        }
        return scores.entrySet().stream()
                .sorted(Map.Entry.<Long, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit).map(e -> new Ranked(e.getKey(), e.getValue())).toList();
    }

    private static Map<Long, Double> normalised(Fusion fusion, List<ChunkIndex.Found> list) {
        Map<Long, Double> normalised = new HashMap<>();
        if (list.isEmpty()) {
            return normalised;
        }
        double min = list.stream().mapToDouble(ChunkIndex.Found::score).min().orElse(0);
        double max = list.stream().mapToDouble(ChunkIndex.Found::score).max().orElse(0);
        double mean = list.stream().mapToDouble(ChunkIndex.Found::score).average().orElse(0);
        double sd = Math.sqrt(list.stream().mapToDouble(f -> (f.score() - mean) * (f.score() - mean)).sum() / list.size());
        for (ChunkIndex.Found found : list) {
            double value = fusion == Fusion.MIN_MAX
                    ? (max > min ? (found.score() - min) / (max - min) : 1.0)
                    : (sd > 0 ? (found.score() - mean) / sd : 0.0);
            normalised.put(found.chunkId(), value);
        }
        return normalised;
    }

    private static double floor(Fusion fusion, Map<Long, Double> normalised) {
        return fusion == Fusion.MIN_MAX ? 0 : normalised.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private List<Result> details(UUID owner, List<Ranked> ranked) {
        if (ranked.isEmpty()) {
            return List.of();
        }
        Map<Long, Result> found = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                // the owner is compared here, not in the query: with it there, a planner whose statistics lag behind
                // a large load (no autovacuum yet) joined every document of the owner with each chunk (300 ms for
                // 30 passages among 12,000 documents); by the two primary keys it is under a millisecond
                PreparedStatement statement = connection.prepareStatement("""
                        select c.id, c.text, d.id, d.external_id, d.title, d.owner_id
                        from chunk c join document d on d.id = c.document_id
                        where c.id = any(?)""")) {
            statement.setArray(1, connection.createArrayOf("bigint", ranked.stream().map(Ranked::chunkId).toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    if (owner.equals(rows.getObject(6, UUID.class))) {
                        found.put(rows.getLong(1), new Result(rows.getObject(3, UUID.class), rows.getString(4),
                                rows.getString(5), rows.getLong(1), rows.getString(2), 0));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the passages found", e);
        }
        List<Result> results = new ArrayList<>(ranked.size());
        for (Ranked r : ranked) {
            Result result = found.get(r.chunkId());
            if (result != null) { // a chunk deleted since it was ranked is left out
                results.add(new Result(result.documentId(), result.externalId(), result.title(), r.chunkId(),
                        result.text(), r.score()));
            }
        }
        return results;
    }
}
