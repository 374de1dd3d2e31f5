package io.meridian.rag.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

import io.agroal.api.AgroalDataSource;

/**
 * What a replica keeps in memory per collection ({@link VectorIndex}, {@link KeywordIndex}), following the
 * collection's {@code index_version}: loaded on first use; when the version moved, the chunks added since are
 * appended, and if the count then does not add up (a deletion, or chunks committed out of id order) it is loaded
 * again. Readers get immutable snapshots; one loader per collection at a time.
 */
final class CollectionSnapshots<S> {

    /** Loads a collection's chunks into a snapshot, or only those after {@code previous}'s, appended to it. */
    interface Loader<S> {
        S load(UUID collectionId, long version, S previous) throws SQLException;
    }

    private final AgroalDataSource dataSource;
    private final Loader<S> loader;
    private final ToLongFunction<S> versionOf;
    private final ToIntFunction<S> sizeOf;
    private final ConcurrentMap<UUID, S> snapshots = new ConcurrentHashMap<>();
    private final ConcurrentMap<UUID, Object> locks = new ConcurrentHashMap<>();

    CollectionSnapshots(AgroalDataSource dataSource, Loader<S> loader, ToLongFunction<S> versionOf,
            ToIntFunction<S> sizeOf) {
        this.dataSource = dataSource;
        this.loader = loader;
        this.versionOf = versionOf;
        this.sizeOf = sizeOf;
    }

    S current(UUID collectionId, long version) {
        S snapshot = snapshots.get(collectionId);
        if (snapshot != null && versionOf.applyAsLong(snapshot) == version) {
            return snapshot;
        }
        synchronized (locks.computeIfAbsent(collectionId, id -> new Object())) {
            snapshot = snapshots.get(collectionId);
            if (snapshot != null && versionOf.applyAsLong(snapshot) == version) {
                return snapshot;
            }
            try {
                S next = snapshot == null ? loader.load(collectionId, version, null) : refresh(collectionId, version, snapshot);
                snapshots.put(collectionId, next);
                return next;
            } catch (SQLException e) {
                throw new IllegalStateException("could not load collection " + collectionId, e);
            }
        }
    }

    void forget(UUID collectionId) {
        snapshots.remove(collectionId);
    }

    private S refresh(UUID collectionId, long version, S previous) throws SQLException {
        long count;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select count(*) from chunk where collection_id = ?")) {
            statement.setObject(1, collectionId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                count = rows.getLong(1);
            }
        }
        S appended = loader.load(collectionId, version, previous);
        return sizeOf.applyAsInt(appended) == count ? appended : loader.load(collectionId, version, null);
    }
}
