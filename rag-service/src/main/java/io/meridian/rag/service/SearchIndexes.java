package io.meridian.rag.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.meridian.platform.problem.ProblemException;
import io.meridian.rag.client.ChunkIndex;
import io.meridian.rag.config.RagConfig;

/**
 * The engine's indexes as PostgreSQL records them ({@code search_index}): the one the alias points at ({@code active}),
 * at most one being built, and those retired. A build copies every INDEXED document's chunks from PostgreSQL into a
 * new index (re-embedding those of another model), catches up with what was indexed and removed meanwhile, then
 * points the alias at it in one step, while searches keep answering from the old one. The first start of a
 * deployment builds the first index the same way. One build at a time across replicas (an advisory lock).
 */
@ApplicationScoped
public class SearchIndexes {

    private static final Logger LOG = Logger.getLogger(SearchIndexes.class);
    private static final DateTimeFormatter BUILD_NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
            .withZone(ZoneOffset.UTC);
    /** The advisory lock a build holds ({@code hashtext('meridian-rag-index-build')} would do as well; fixed here). */
    private static final long BUILD_LOCK = 0x6d65726964696e01L;

    /** One index as recorded. */
    public record Recorded(String name, String state, String embeddingModel, int dimensions, long chunks,
            Instant createdAt, Instant activatedAt, String error) {
    }

    private final AgroalDataSource dataSource;
    private final ChunkIndex index;
    private final Embeddings embeddings;
    private final RagConfig.Engine config;
    private final ExecutorService builds = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("rag-index-build").daemon().factory());
    private volatile Instant lastPurge = Instant.EPOCH;
    private final AtomicBoolean buildQueued = new AtomicBoolean();

    SearchIndexes(AgroalDataSource dataSource, ChunkIndex index, Embeddings embeddings, RagConfig config) {
        this.dataSource = dataSource;
        this.index = index;
        this.embeddings = embeddings;
        this.config = config.engine();
    }

    @PreDestroy
    void stop() {
        builds.shutdownNow();
    }

    /**
     * The indexes every write of chunks goes to: the active one and one being built, of this deployment's embedding
     * model. Builds the first index when there is none; starts a rebuild in the background when the active one is of
     * another model; empty while there is no index to write to yet.
     */
    List<String> writeTargets() {
        List<Recorded> live = recorded().stream().filter(r -> !r.state().equals("retired")).toList();
        Optional<Recorded> active = live.stream().filter(r -> r.state().equals("active")).findFirst();
        boolean building = live.stream().anyMatch(r -> r.state().equals("building"));
        if (active.isEmpty()) {
            if (!building) {
                LOG.infof("No index of chunks for %s yet: building one", embeddings.modelName());
                build(); // the first one of a deployment (or after a loss): writes wait for it
            }
            live = recorded().stream().filter(r -> !r.state().equals("retired")).toList();
            if (live.stream().noneMatch(r -> r.state().equals("active"))) {
                return List.of();
            }
        } else if (!building && (!active.get().embeddingModel().equals(embeddings.modelName())
                || active.get().dimensions() != embeddings.dimensions())) {
            LOG.infof("The index of chunks is of %s, this deployment embeds with %s: rebuilding",
                    active.get().embeddingModel(), embeddings.modelName());
            startBuild(); // in the background: searches and writes go on with the active index meanwhile
        }
        // an index of another model cannot take this deployment's vectors: new documents wait for the new one
        return live.stream().filter(r -> r.embeddingModel().equals(embeddings.modelName())
                && r.dimensions() == embeddings.dimensions()).map(Recorded::name).toList();
    }

    /** The indexes deletions go to: every live one, whatever its model. */
    List<String> removalTargets() {
        return recorded().stream().filter(r -> !r.state().equals("retired")).map(Recorded::name).toList();
    }

    /**
     * After a failed write: an index recorded as live that the engine no longer has (its data lost, a cluster
     * replaced) is recorded as retired, so that the next pass builds a new one from PostgreSQL.
     */
    void forgetMissing() {
        for (Recorded live : recorded()) {
            if (!live.state().equals("retired") && !index.exists(live.name())) {
                LOG.warnf("Search index %s is gone from the engine: building a new one", live.name());
                update("update search_index set state = 'retired', error = 'missing in the engine' where name = ?",
                        live.name());
            }
        }
    }

    /** Starts a build in the background, unless one is under way on any replica. */
    public Recorded rebuild() {
        if (recorded().stream().anyMatch(r -> r.state().equals("building"))) {
            throw ProblemException.conflict("An index is being built already.");
        }
        startBuild();
        return new Recorded(null, "requested", embeddings.modelName(), embeddings.dimensions(), 0, Instant.now(), null,
                null);
    }

    /** One build in this replica's background at a time (the advisory lock keeps it to one across replicas). */
    private void startBuild() {
        if (!buildQueued.compareAndSet(false, true)) {
            return;
        }
        builds.submit(() -> {
            try {
                build();
            } catch (RuntimeException e) {
                LOG.errorf(e, "Building the index of chunks failed");
            } finally {
                buildQueued.set(false);
            }
        });
    }

    /** Every index recorded, newest first. */
    public List<Recorded> recorded() {
        List<Recorded> all = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("select name, state, embedding_model, "
                        + "dimensions, chunks, created_at, activated_at, error from search_index order by created_at desc");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                all.add(new Recorded(rows.getString(1), rows.getString(2), rows.getString(3), rows.getInt(4),
                        rows.getLong(5), instant(rows.getTimestamp(6)), instant(rows.getTimestamp(7)), rows.getString(8)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the search indexes", e);
        }
        return all;
    }

    /** A document's chunks as the engine takes them. */
    List<ChunkIndex.Entry> entries(UUID documentId, UUID ownerId, UUID collectionId, String title, String externalId) {
        List<ChunkIndex.Entry> entries = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select id, text, embedding from chunk where document_id = ? order by ordinal")) {
            statement.setObject(1, documentId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    entries.add(new ChunkIndex.Entry(rows.getLong(1), ownerId, collectionId, documentId, externalId,
                            title, rows.getString(2), Embeddings.fromBytes(rows.getBytes(3))));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the chunks of " + documentId, e);
        }
        return entries;
    }

    /** Removals applied more than a day ago go (a build re-applies those since it started). */
    void purgeAppliedRemovals() {
        if (lastPurge.isAfter(Instant.now().minusSeconds(600))) {
            return;
        }
        lastPurge = Instant.now();
        update("delete from index_removal where applied_at < now() - interval '1 day'");
    }

    /** Builds a new index and points the alias at it; does nothing if another replica is building. */
    void build() {
        try (Connection lock = dataSource.getConnection()) {
            if (!tryLock(lock)) {
                return;
            }
            try {
                buildLocked();
            } finally {
                try (PreparedStatement unlock = lock.prepareStatement("select pg_advisory_unlock(?)")) {
                    unlock.setLong(1, BUILD_LOCK);
                    unlock.execute();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not build the search index", e);
        }
    }

    private void buildLocked() {
        // what was being built when a replica died is abandoned
        for (Recorded stale : recorded()) {
            if (stale.state().equals("building")) {
                index.drop(stale.name());
                update("update search_index set state = 'retired', error = 'abandoned' where name = ?", stale.name());
            }
        }
        Instant started = Instant.now();
        String name = index.alias() + "-" + BUILD_NAME.format(started);
        String model = embeddings.modelName();
        index.create(name, model, embeddings.dimensions());
        update("insert into search_index (name, state, embedding_model, dimensions, created_at) values (?, 'building', ?, ?, ?)",
                name, model, embeddings.dimensions(), Timestamp.from(started));
        try {
            reembedOthers();
            // every replica's indexer writes to the new index from its next pass; what one wrote only to the old
            // index meanwhile is caught up below (indexed after the start)
            long copied = copy(name, "d.status = 'INDEXED'");
            copied += copy(name, "d.status = 'INDEXED' and d.indexed_at >= '" + started + "'::timestamptz");
            reapplyRemovals(name, started);
            index.open(name);
            Optional<String> previous = index.aliased();
            index.point(previous.orElse(null), name);
            update("update search_index set state = 'retired' where state = 'active'");
            update("update search_index set state = 'active', activated_at = now(), chunks = ? where name = ?", copied, name);
            previous.filter(old -> !old.equals(name)).ifPresent(index::drop);
            LOG.infof("Search index %s is active: %d chunks of %s", name, copied, model);
        } catch (RuntimeException e) {
            update("update search_index set state = 'retired', error = ? where name = ?",
                    String.valueOf(e.getMessage()).substring(0, Math.min(2000, String.valueOf(e.getMessage()).length())), name);
            try {
                index.drop(name);
            } catch (ChunkIndex.EngineException dropping) {
                e.addSuppressed(dropping);
            }
            throw e;
        }
    }

    /** Copies the chunks of the documents matching {@code where} into {@code target}, by chunk id, in bulks. */
    private long copy(String target, String where) {
        long copied = 0;
        long after = Long.MIN_VALUE;
        String sql = """
                select c.id, c.text, c.embedding, d.id, d.owner_id, d.collection_id, d.title, d.external_id
                from chunk c join document d on d.id = c.document_id
                where %s and c.id > ? order by c.id limit ?""".formatted(where);
        while (true) {
            List<ChunkIndex.Entry> batch = new ArrayList<>();
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setLong(1, after);
                statement.setInt(2, config.bulkSize());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        byte[] stored = rows.getBytes(3);
                        if (stored.length != embeddings.dimensions() * 4) {
                            continue; // of another model, and its document could not be embedded again
                        }
                        batch.add(new ChunkIndex.Entry(rows.getLong(1), rows.getObject(5, UUID.class),
                                rows.getObject(6, UUID.class), rows.getObject(4, UUID.class), rows.getString(8),
                                rows.getString(7), rows.getString(2), Embeddings.fromBytes(stored)));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("could not read chunks to copy", e);
            }
            if (batch.isEmpty()) {
                return copied;
            }
            index.write(List.of(target), batch, false);
            copied += batch.size();
            after = batch.get(batch.size() - 1).chunkId();
            update("update search_index set chunks = ? where name = ?", copied, target);
        }
    }

    /**
     * Embeds again, with this deployment's model, the chunks of every document embedded with another (a change of
     * model), one document at a time, and records the model with the document. Documents recorded before models were
     * (no model) are taken to be of this deployment's.
     */
    private void reembedOthers() {
        String model = embeddings.modelName();
        while (true) {
            List<UUID> documents = new ArrayList<>();
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement statement = connection.prepareStatement("select id from document where status = "
                            + "'INDEXED' and embedding_model is not null and embedding_model <> ? limit 100")) {
                statement.setString(1, model);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        documents.add(rows.getObject(1, UUID.class));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("could not read documents to embed again", e);
            }
            if (documents.isEmpty()) {
                return;
            }
            LOG.infof("Embedding the chunks of %d documents again with %s", documents.size(), model);
            for (UUID document : documents) {
                reembed(document, model);
            }
        }
    }

    private void reembed(UUID documentId, String model) {
        try (Connection connection = dataSource.getConnection()) {
            List<Long> ids = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            try (PreparedStatement read = connection.prepareStatement("select id, text from chunk where document_id = ?")) {
                read.setObject(1, documentId);
                try (ResultSet rows = read.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong(1));
                        texts.add(rows.getString(2));
                    }
                }
            }
            List<float[]> vectors = embeddings.embedAll(texts);
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (PreparedStatement chunk = connection.prepareStatement("update chunk set embedding = ? where id = ?");
                    PreparedStatement document = connection.prepareStatement(
                            "update document set embedding_model = ? where id = ?")) {
                for (int i = 0; i < ids.size(); i++) {
                    chunk.setBytes(1, Embeddings.toBytes(vectors.get(i)));
                    chunk.setLong(2, ids.get(i));
                    chunk.addBatch();
                }
                chunk.executeBatch();
                document.setString(1, model);
                document.setObject(2, documentId);
                document.executeUpdate();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not embed the chunks of " + documentId + " again", e);
        }
    }

    private void reapplyRemovals(String target, Instant since) {
        List<Object[]> removals = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select owner_id, field, value from index_removal where created_at >= ? order by id")) {
            statement.setTimestamp(1, Timestamp.from(since.minusSeconds(5)));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    removals.add(new Object[] {rows.getObject(1, UUID.class), rows.getString(2), rows.getObject(3, UUID.class)});
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read removals", e);
        }
        for (Object[] removal : removals) {
            index.remove(List.of(target), (UUID) removal[0], (String) removal[1], (UUID) removal[2]);
        }
    }

    private boolean tryLock(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
            statement.setLong(1, BUILD_LOCK);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        }
    }

    private void update(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not update the search indexes", e);
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
