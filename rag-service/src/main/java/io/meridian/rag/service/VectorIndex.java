package io.meridian.rag.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

/**
 * Exact cosine search over each collection's chunk vectors, held in memory per replica (unit vectors, so cosine is a
 * dot product). A collection's vectors are loaded on its first search and brought up to date when its
 * {@code index_version} moved: new chunks are appended, and a deletion (the count no longer adds up) reloads it.
 * PostgreSQL stays the only source of truth; see ADR 0008 for why exact search, and how it scales out.
 */
@ApplicationScoped
public class VectorIndex {


    /** A chunk and its similarity to the query. */
    public record Hit(long chunkId, double score) {
    }

    private record Snapshot(long version, long[] ids, float[] vectors, int size, long maxId) {
    }

    private final AgroalDataSource dataSource;
    private final int dim;
    private final CollectionSnapshots<Snapshot> snapshots;

    VectorIndex(AgroalDataSource dataSource, Embeddings embeddings) {
        this.dataSource = dataSource;
        this.dim = embeddings.dimensions();
        this.snapshots = new CollectionSnapshots<>(dataSource, this::load, Snapshot::version, Snapshot::size);
    }

    /** The {@code k} chunks most similar to {@code query} in the given collections (id to current index version). */
    public List<Hit> search(Map<UUID, Long> collections, float[] query, int k) {
        PriorityQueue<Hit> best = new PriorityQueue<>(Comparator.comparingDouble(Hit::score));
        for (Map.Entry<UUID, Long> collection : collections.entrySet()) {
            Snapshot snapshot = snapshots.current(collection.getKey(), collection.getValue());
            float[] vectors = snapshot.vectors();
            for (int row = 0; row < snapshot.size(); row++) {
                double score = dot(vectors, row * dim, query);
                if (best.size() < k) {
                    best.add(new Hit(snapshot.ids()[row], score));
                } else if (score > best.peek().score()) {
                    best.poll();
                    best.add(new Hit(snapshot.ids()[row], score));
                }
            }
        }
        List<Hit> hits = new ArrayList<>(best);
        hits.sort(Comparator.comparingDouble(Hit::score).reversed());
        return hits;
    }

    /** Forgets a collection's vectors (it was deleted). */
    public void forget(UUID collectionId) {
        snapshots.forget(collectionId);
    }

    private double dot(float[] vectors, int offset, float[] query) {
        // four independent sums: the CPU overlaps them, a single running sum would wait on each addition
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < dim; i += 4) {
            s0 += vectors[offset + i] * query[i];
            s1 += vectors[offset + i + 1] * query[i + 1];
            s2 += vectors[offset + i + 2] * query[i + 2];
            s3 += vectors[offset + i + 3] * query[i + 3];
        }
        for (; i < dim; i++) {
            s0 += vectors[offset + i] * query[i];
        }
        return s0 + s1 + s2 + s3;
    }

    /** Loads the collection's vectors, or only those after {@code previous}'s highest id, appended to it. */
    private Snapshot load(UUID collectionId, long version, Snapshot previous) throws SQLException {
        long after = previous == null ? Long.MIN_VALUE : previous.maxId();
        int size = previous == null ? 0 : previous.size();
        long[] ids = previous == null ? new long[1024] : previous.ids();
        float[] vectors = previous == null ? new float[1024 * dim] : previous.vectors();
        long maxId = after;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select id, embedding from chunk where collection_id = ? and id > ? order by id")) {
            statement.setObject(1, collectionId);
            statement.setLong(2, after);
            statement.setFetchSize(2000);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    if (size == ids.length) {
                        ids = Arrays.copyOf(ids, ids.length * 2);
                        vectors = Arrays.copyOf(vectors, ids.length * dim);
                    }
                    // Appending past the previous snapshot's size is safe: its readers stop at that size.
                    byte[] stored = rows.getBytes(2);
                    if (stored.length != dim * 4) {
                        continue; // written by a model of another size: not comparable with this deployment's queries
                    }
                    ids[size] = rows.getLong(1);
                    Embeddings.readInto(stored, vectors, size * dim);
                    maxId = Math.max(maxId, ids[size]);
                    size++;
                }
            }
        }
        return new Snapshot(version, ids, vectors, size, maxId);
    }
}
