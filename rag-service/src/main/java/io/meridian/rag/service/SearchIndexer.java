package io.meridian.rag.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;
import jakarta.transaction.TransactionSynchronizationRegistry;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.meridian.platform.events.Outbox;
import io.meridian.platform.events.Topics;
import io.meridian.platform.jobs.WakeableLoop;
import io.meridian.platform.tx.AfterCommit;
import io.meridian.rag.client.ChunkIndex;
import io.meridian.rag.config.RagConfig;
import io.meridian.rag.domain.Document;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Keeps the engine's index following PostgreSQL, which stays the source of truth: a document whose chunks are stored
 * is written to every live index (bulk, acknowledged and searchable) and only then marked INDEXED and announced; a
 * deleted document, collection or owner is recorded in {@code index_removal} in the deleting transaction and taken
 * out of the engine here. While the engine is away, documents stay PENDING and removals wait; both go through when it
 * is back. Every replica runs one; they share the work through row claims ({@code skip locked}). Chunk ids are the
 * engine's document ids, so a document written twice (two replicas, a retry after a lost answer) is there once.
 */
@ApplicationScoped
public class SearchIndexer {

    private static final Logger LOG = Logger.getLogger(SearchIndexer.class);
    private static final int DOCUMENTS_PER_PASS = 100;
    private static final int REMOVALS_PER_PASS = 200;

    private final AgroalDataSource dataSource;
    private final ChunkIndex index;
    private final SearchIndexes indexes;
    private final Outbox outbox;
    private final TransactionSynchronizationRegistry transactions;
    private final WakeableLoop loop;
    private final Counter indexedChunks;
    private final int bulkSize;
    /**
     * Claims a failed pass could not give back (the database was away too): given back at the start of the next pass,
     * so that a short outage does not hold those documents for the whole lease. Only the indexer's thread uses it, and
     * it never holds more than one pass's documents.
     */
    private final List<UUID> unreleased = new ArrayList<>();
    private volatile String lastFailure;

    SearchIndexer(AgroalDataSource dataSource, ChunkIndex index, SearchIndexes indexes, Outbox outbox,
            TransactionSynchronizationRegistry transactions, RagConfig config, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.index = index;
        this.indexes = indexes;
        this.outbox = outbox;
        this.transactions = transactions;
        this.bulkSize = config.engine().bulkSize();
        this.loop = new WakeableLoop("rag-search-indexer", config.engine().indexerInterval(), this::pass);
        this.indexedChunks = Counter.builder("meridian.rag.ingested.chunks")
                .description("Chunks acknowledged by the search engine").register(registry);
    }

    void start(@Observes StartupEvent event) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) {
        loop.stop();
    }

    /** Wakes the indexer once the current transaction commits (chunks stored, something deleted). */
    public void wakeAfterCommit() {
        AfterCommit.run(transactions, loop::wakeUp);
    }

    /**
     * Records, in the current transaction, that the chunks whose {@code field} ({@code document_id},
     * {@code collection_id} or {@code owner_id}) is {@code value} must leave the engine.
     */
    public void removeLater(UUID ownerId, String field, UUID value) {
        Document.getEntityManager().createNativeQuery(
                "insert into index_removal (owner_id, field, value, created_at) values (?1, ?2, ?3, now())")
                .setParameter(1, ownerId).setParameter(2, field).setParameter(3, value).executeUpdate();
        wakeAfterCommit();
    }

    /** Why the last pass could not reach the engine, or null when it could. */
    public String lastFailure() {
        return lastFailure;
    }

    /** One round: the index exists, removals applied, stored documents written; until nothing is left. */
    void pass() {
        String failure = null;
        try {
            // removals and new documents go on apart: one failing does not hold the other back
            boolean more = true;
            while (more) {
                more = false;
                List<String> targets = indexes.writeTargets();
                try {
                    more |= applyRemovals(indexes.removalTargets());
                } catch (ChunkIndex.EngineException e) {
                    failure = e.getMessage();
                }
                try {
                    more |= indexStored(targets);
                } catch (ChunkIndex.EngineException e) {
                    failure = e.getMessage();
                }
                more &= failure == null;
            }
            indexes.purgeAppliedRemovals();
        } catch (ChunkIndex.EngineException e) {
            failure = e.getMessage();
        }
        if (failure != null) {
            try {
                indexes.forgetMissing();
            } catch (ChunkIndex.EngineException e) {
                // the engine is away altogether: nothing to learn now
            }
        }
        if (failure != null && !failure.equals(lastFailure)) {
            LOG.warnf("The search engine is not taking writes; documents stay PENDING until it does: %s", failure);
        }
        lastFailure = failure;
    }

    private boolean applyRemovals(List<String> targets) {
        if (targets.isEmpty()) {
            return false; // no index yet: nothing to remove from, and the first build copies only what is left
        }
        List<Object[]> removals = new ArrayList<>();
        query("select id, owner_id, field, value from index_removal where applied_at is null order by id limit "
                + REMOVALS_PER_PASS, rows -> removals.add(new Object[] {rows.getLong(1), rows.getObject(2, UUID.class),
                        rows.getString(3), rows.getObject(4, UUID.class)}));
        for (Object[] removal : removals) {
            index.remove(targets, (UUID) removal[1], (String) removal[2], (UUID) removal[3]);
            QuarkusTransaction.requiringNew().run(() -> Document.getEntityManager()
                    .createNativeQuery("update index_removal set applied_at = now() where id = ?1")
                    .setParameter(1, removal[0]).executeUpdate());
        }
        return removals.size() == REMOVALS_PER_PASS;
    }

    private record Claimed(UUID id, UUID ownerId, UUID collectionId, String title, String externalId) {
    }

    /**
     * Writes the chunks of documents stored but not yet acknowledged, in bulks, the last of which waits until they are
     * searchable; then marks them INDEXED together. True when there may be more.
     */
    private boolean indexStored(List<String> targets) {
        if (targets.isEmpty()) {
            return false; // no index yet: another replica is building the first one
        }
        if (!unreleased.isEmpty()) {
            List<UUID> ids = List.copyOf(unreleased);
            unreleased.clear();
            release(ids);
        }
        List<Claimed> claimed = new ArrayList<>();
        query("""
                update document set index_claimed_until = now() + interval '2 minutes'
                where id in (select id from document where status = 'PENDING' and stored_at is not null
                    and (index_claimed_until is null or index_claimed_until < now())
                    order by stored_at limit %d for update skip locked)
                returning id, owner_id, collection_id, title, external_id""".formatted(DOCUMENTS_PER_PASS),
                rows -> claimed.add(new Claimed(rows.getObject(1, UUID.class), rows.getObject(2, UUID.class),
                        rows.getObject(3, UUID.class), rows.getString(4), rows.getString(5))));
        if (claimed.isEmpty()) {
            return false;
        }
        try {
            List<ChunkIndex.Entry> entries = new ArrayList<>();
            Map<UUID, Integer> chunks = new HashMap<>();
            for (Claimed document : claimed) {
                List<ChunkIndex.Entry> of = indexes.entries(document.id(), document.ownerId(), document.collectionId(),
                        document.title(), document.externalId());
                chunks.put(document.id(), of.size());
                entries.addAll(of);
            }
            for (int from = 0; from < entries.size(); from += bulkSize) {
                int to = Math.min(entries.size(), from + bulkSize);
                index.write(targets, entries.subList(from, to), to == entries.size());
            }
            QuarkusTransaction.requiringNew().run(() -> {
                for (Claimed document : claimed) {
                    markIndexed(document, chunks.get(document.id()));
                }
            });
        } catch (RuntimeException e) {
            release(claimed.stream().map(Claimed::id).toList()); // for the next pass, not after the lease
            throw e;
        }
        return claimed.size() == DOCUMENTS_PER_PASS;
    }

    private void release(List<UUID> claimed) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "update document set index_claimed_until = null where id = any(?)")) {
            statement.setArray(1, connection.createArrayOf("uuid", claimed.toArray()));
            statement.executeUpdate();
        } catch (SQLException e) {
            LOG.debugf("could not release claimed documents: %s", e.getMessage());
            unreleased.addAll(claimed);
        }
    }

    private void markIndexed(Claimed claimed, int chunks) {
        Document document = Document.findById(claimed.id(), LockModeType.PESSIMISTIC_WRITE);
        if (document == null) {
            // deleted while its chunks were on their way: its removal may have run before they arrived
            removeLater(claimed.ownerId(), "document_id", claimed.id());
            return;
        }
        if (document.status != Document.Status.PENDING) {
            return; // another replica was first
        }
        document.status = Document.Status.INDEXED;
        document.indexedAt = Instant.now();
        indexedChunks.increment(chunks);
        outbox.publish(Topics.RAG_DOCUMENTS, "document.indexed", document.id.toString(), DocumentEvents.data(document));
    }

    private interface RowReader {
        void read(ResultSet rows) throws SQLException;
    }

    private void query(String sql, RowReader reader) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                reader.read(rows);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the indexer's work", e);
        }
    }
}
