package io.meridian.rag.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.meridian.platform.events.Outbox;
import io.meridian.platform.events.Topics;
import io.meridian.rag.config.RagConfig;
import io.quarkus.scheduler.Scheduled;

/**
 * The ingestion queue's safety net: a PENDING document whose task was queued longer ago than
 * {@code meridian.rag.ingestion.requeue-after} and that is still unread gets a new task (its task may have been
 * dead-lettered, or lost with an outbox that was cleared by hand). A document read twice is stored once: the worker
 * reads only what is PENDING and unstored, and stores under the document's row lock. Replicas check at the same time
 * without queuing a document twice (the rows are locked, skipping what another holds).
 */
@ApplicationScoped
public class StrandedDocuments {

    private static final Logger LOG = Logger.getLogger(StrandedDocuments.class);

    private final AgroalDataSource dataSource;
    private final Outbox outbox;
    private final RagConfig config;

    StrandedDocuments(AgroalDataSource dataSource, Outbox outbox, RagConfig config) {
        this.dataSource = dataSource;
        this.outbox = outbox;
        this.config = config;
    }

    @Scheduled(identity = "rag-stranded-documents", every = "${meridian.rag.ingestion.requeue-check-every:60s}",
            delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void check() {
        try {
            int queued = requeue();
            if (queued > 0) {
                LOG.warnf("Queued %d unread document(s) again", queued);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Stranded-document check skipped: %s", e.getMessage());
        }
    }

    /** Queues the unread documents whose task is older than the bound again; returns how many. */
    @Transactional
    public int requeue() {
        int queued = 0;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement("""
                        update document set queued_at = now() where id in (
                            select id from document where status = 'PENDING' and stored_at is null and queued_at < ?
                            order by queued_at limit ? for update skip locked)
                        returning id, collection_id""")) {
            update.setTimestamp(1, Timestamp.from(Instant.now().minus(config.ingestion().requeueAfter())));
            update.setInt(2, config.ingestion().requeueBatch());
            try (ResultSet rows = update.executeQuery()) {
                while (rows.next()) {
                    String id = rows.getString(1);
                    outbox.publish(Topics.RAG_INGESTION, "document.ingest", id,
                            Map.of("documentId", id, "collectionId", rows.getString(2), "requeued", true));
                    queued++;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not look for unread documents", e);
        }
        return queued;
    }
}
