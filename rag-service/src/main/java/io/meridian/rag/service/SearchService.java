package io.meridian.rag.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;
import io.meridian.platform.problem.ProblemException;
import io.meridian.rag.config.RagConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Search in three modes over the caller's own collections: keyword (BM25 over PostgreSQL's full-text vectors,
 * {@link KeywordIndex}), vector (exact cosine, {@link VectorIndex}) and hybrid (reciprocal rank fusion of the two).
 */
@ApplicationScoped
public class SearchService {

    public enum Mode {
        KEYWORD, VECTOR, HYBRID
    }

    /** One passage found, as the API shows it. */
    public record Result(UUID documentId, String externalId, String title, long chunkId, String text, double score) {
    }

    private record Ranked(long chunkId, double score) {
    }


    private final AgroalDataSource dataSource;
    private final VectorIndex vectors;
    private final KeywordIndex keywords;
    private final Embeddings embeddings;
    private final RagConfig config;
    private final RagCache cache;
    private final QueryLog queries;
    private final Map<Mode, Timer> latency = new HashMap<>();

    SearchService(AgroalDataSource dataSource, VectorIndex vectors, KeywordIndex keywords, Embeddings embeddings,
            RagConfig config, RagCache cache, QueryLog queries, MeterRegistry registry) {
        this.keywords = keywords;
        this.cache = cache;
        this.queries = queries;
        this.dataSource = dataSource;
        this.vectors = vectors;
        this.embeddings = embeddings;
        this.config = config;
        for (Mode mode : Mode.values()) {
            latency.put(mode, Timer.builder("meridian.rag.search").description("Search latency by mode")
                    .tag("mode", mode.name().toLowerCase(Locale.ROOT)).publishPercentiles(0.5, 0.95)
                    .register(registry));
        }
    }

    public List<Result> search(UUID owner, String query, List<UUID> collectionIds, int topK, Mode mode) {
        queries.record(query);
        return latency.get(mode).record(() -> {
            Map<UUID, Long> collections = ownedVersions(owner, collectionIds);
            List<Ranked> ranked = switch (mode) {
                case KEYWORD -> keyword(query, collections, topK);
                case VECTOR -> vector(owner, query, collections, topK);
                case HYBRID -> fuse(keyword(query, collections, config.search().hybridCandidates()),
                        vector(owner, query, collections, config.search().hybridCandidates()), topK);
            };
            return details(ranked);
        });
    }

    /** 404 unless every collection is the caller's. */
    public void checkOwned(UUID owner, List<UUID> collectionIds) {
        ownedVersions(owner, collectionIds);
    }

    /** The index versions of the caller's collections; 404 when one of them is not the caller's. */
    private Map<UUID, Long> ownedVersions(UUID owner, List<UUID> collectionIds) {
        Map<UUID, Long> versions = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select id, index_version from collection where owner_id = ? and id = any(?)")) {
            statement.setObject(1, owner);
            statement.setArray(2, connection.createArrayOf("uuid", collectionIds.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    versions.put(rows.getObject(1, UUID.class), rows.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read collections", e);
        }
        for (UUID id : collectionIds) {
            if (!versions.containsKey(id)) {
                throw ProblemException.notFound("No collection " + id + ".");
            }
        }
        return versions;
    }

    private List<Ranked> keyword(String query, Map<UUID, Long> collections, int limit) {
        List<String> lexemes = keywords.lexemes(query);
        if (lexemes.isEmpty()) {
            return List.of(); // only stop words
        }
        return keywords.search(collections, lexemes, limit).stream()
                .map(hit -> new Ranked(hit.chunkId(), hit.score())).toList();
    }

    private List<Ranked> vector(UUID owner, String query, Map<UUID, Long> collections, int limit) {
        float[] embedding = cache.embedding(owner, query).orElseGet(() -> {
            float[] computed = embeddings.embed(query);
            cache.putEmbedding(owner, query, computed);
            return computed;
        });
        return vectors.search(collections, embedding, limit).stream()
                .map(hit -> new Ranked(hit.chunkId(), hit.score())).toList();
    }

    /** Reciprocal rank fusion: each list adds 1 / (k + rank) for every chunk it ranks. */
    private List<Ranked> fuse(List<Ranked> keyword, List<Ranked> vector, int limit) {
        int k = config.search().rrfK();
        Map<Long, Double> scores = new HashMap<>();
        for (List<Ranked> list : List.of(keyword, vector)) {
            for (int rank = 0; rank < list.size(); rank++) {
                scores.merge(list.get(rank).chunkId(), 1.0 / (k + rank + 1), Double::sum);
            }
        }
        return scores.entrySet().stream()
                .sorted(Map.Entry.<Long, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit).map(e -> new Ranked(e.getKey(), e.getValue())).toList();
    }

    private List<Result> details(List<Ranked> ranked) {
        if (ranked.isEmpty()) {
            return List.of();
        }
        Map<Long, Result> found = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("""
                        select c.id, c.text, d.id, d.external_id, d.title
                        from chunk c join document d on d.id = c.document_id where c.id = any(?)""")) {
            statement.setArray(1, connection.createArrayOf("bigint", ranked.stream().map(Ranked::chunkId).toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    found.put(rows.getLong(1), new Result(rows.getObject(3, UUID.class), rows.getString(4),
                            rows.getString(5), rows.getLong(1), rows.getString(2), 0));
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
