package io.meridian.platform.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.meridian.platform.requestid.RequestIds;
import io.meridian.platform.tx.AfterCommit;

/**
 * Writes events into the service's outbox table, in the caller's transaction: the change and the event that
 * announces it commit together or not at all. {@link OutboxRelay} publishes them afterwards.
 */
@ApplicationScoped
public class Outbox {

    private static final String INSERT = """
            insert into outbox_event (id, topic, event_key, event_type, payload, request_id, created_at, trace_parent)
            values (?, ?, ?, ?, ?, ?, ?, ?)""";

    private static final String WAKE_UP_REGISTERED = Outbox.class.getName() + ".wakeUp";

    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper;
    private final String source;
    private final TransactionSynchronizationRegistry transactions;
    private final Instance<OutboxRelay> relay;

    Outbox(AgroalDataSource dataSource, ObjectMapper mapper,
            @ConfigProperty(name = "meridian.events.source") String source,
            TransactionSynchronizationRegistry transactions, Instance<OutboxRelay> relay) {
        this.dataSource = dataSource;
        this.mapper = mapper;
        this.source = source;
        this.transactions = transactions;
        this.relay = relay;
    }

    /**
     * Records an event for {@code topic}; {@code subject} is the aggregate id and becomes the record key.
     *
     * @return the envelope as it will be published
     */
    @Transactional(TxType.MANDATORY)
    public EventEnvelope publish(String topic, String type, String subject, Object data) {
        EventEnvelope event = EventEnvelope.create(source, type, subject, mapper.valueToTree(data));
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setObject(1, UUID.fromString(event.id()));
            insert.setString(2, topic);
            insert.setString(3, subject);
            insert.setString(4, type);
            insert.setString(5, mapper.writeValueAsString(event));
            insert.setString(6, RequestIds.current());
            insert.setTimestamp(7, Timestamp.from(event.time()));
            insert.setString(8, traceParent());
            insert.executeUpdate();
            wakeRelayAfterCommit();
            return event;
        } catch (SQLException e) {
            throw new IllegalStateException("could not write the " + type + " event to the outbox", e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the " + type + " event cannot be serialized", e);
        }
    }

    /** The current span as a W3C traceparent, so the event's consumers continue this trace; null when not tracing. */
    private static String traceParent() {
        io.opentelemetry.api.trace.SpanContext span = io.opentelemetry.api.trace.Span.current().getSpanContext();
        return span.isValid() ? "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex()
                : null;
    }

    /** Lets the relay publish as soon as the transaction commits, instead of at its next poll. */
    private void wakeRelayAfterCommit() {
        if (relay.isUnsatisfied() || transactions.getResource(WAKE_UP_REGISTERED) != null) {
            return;
        }
        transactions.putResource(WAKE_UP_REGISTERED, Boolean.TRUE);
        AfterCommit.run(transactions, () -> relay.get().wakeUp());
    }
}
