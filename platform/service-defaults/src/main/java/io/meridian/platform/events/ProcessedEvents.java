package io.meridian.platform.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;

/**
 * The processed-events table: one row per event a consumer has applied, written in the same transaction as the
 * consumer's effect, so a redelivered event is recognised and has no second effect.
 */
@ApplicationScoped
public class ProcessedEvents {

    private static final Logger LOG = Logger.getLogger(ProcessedEvents.class);
    private static final String INSERT = """
            insert into processed_event (consumer, event_id, processed_at) values (?, ?, now())
            on conflict do nothing""";

    private final AgroalDataSource dataSource;

    ProcessedEvents(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records that {@code consumer} applies {@code eventId} now.
     *
     * @return true the first time; false when the event was already applied (its effect must be skipped)
     */
    @Transactional(TxType.MANDATORY)
    public boolean markProcessed(String consumer, String eventId) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, consumer);
            insert.setString(2, eventId);
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("could not record event " + eventId + " for " + consumer, e);
        }
    }

    /** Forgets events older than {@code retention}; redeliveries come within minutes, not weeks. */
    public int purgeOlderThan(Duration retention) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement purge = connection.prepareStatement("delete from processed_event where processed_at < ?")) {
            purge.setTimestamp(1, Timestamp.from(Instant.now().minus(retention)));
            return purge.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("Processed-event purge skipped: %s", e.getMessage());
            return 0;
        }
    }
}
