package io.meridian.platform.events;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.platform.requestid.RequestIds;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.faulttolerance.api.Guard;

/**
 * Applies an incoming event at most once: the event id is recorded in the same transaction as the effect. A
 * failing effect is retried a bounded number of times (a new transaction each time); what still fails is thrown
 * back, and the channel's {@code dead-letter-queue} failure strategy sends the record to {@code <topic>.dlq} with
 * the reason. Records that are not Meridian events are not retried.
 *
 * <pre>{@code
 * @Incoming("auth-users") @Blocking
 * void onUserEvent(ConsumerRecord<String, String> record) {
 *     consumer.apply("rag-user-cleanup", record, event -> ...);
 * }
 * }</pre>
 */
@ApplicationScoped
public class EventConsumer {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);

    private final ObjectMapper mapper;
    private final ProcessedEvents processed;
    private final Guard retries;

    EventConsumer(ObjectMapper mapper, ProcessedEvents processed,
            @ConfigProperty(name = "meridian.consumer.max-retries", defaultValue = "3") int maxRetries,
            @ConfigProperty(name = "meridian.consumer.retry-delay", defaultValue = "PT0.2S") Duration delay) {
        this.mapper = mapper;
        this.processed = processed;
        this.retries = Guard.create()
                .withRetry().maxRetries(maxRetries).delay(delay.toMillis(), ChronoUnit.MILLIS)
                .jitter(delay.toMillis() / 2, ChronoUnit.MILLIS).abortOn(PoisonEventException.class).done()
                .build();
    }

    /**
     * Parses the record and applies {@code effect} once per event id for {@code consumerName}.
     *
     * @return true when the effect ran; false when the event had been applied before
     */
    public boolean apply(String consumerName, ConsumerRecord<String, String> record, Consumer<EventEnvelope> effect) {
        String previous = RequestIds.current();
        RequestIds.set(header(record, RequestIds.HEADER));
        try {
            EventEnvelope event = parse(record);
            boolean applied = retries.get(() -> QuarkusTransaction.requiringNew().call(() -> {
                if (!processed.markProcessed(consumerName, event.id())) {
                    return false;
                }
                effect.accept(event);
                return true;
            }), Boolean.class);
            if (!applied) {
                LOG.debugf("%s skipped event %s: already applied", consumerName, event.id());
            }
            return applied;
        } finally {
            RequestIds.set(previous);
        }
    }

    /**
     * The record as an event, for a consumer that must look at it before {@link #apply} (to do slow work outside the
     * transaction, say); a record that is not a Meridian event is poison.
     */
    public EventEnvelope read(ConsumerRecord<String, String> record) {
        return parse(record);
    }

    private EventEnvelope parse(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            throw new PoisonEventException("empty record at " + position(record));
        }
        try {
            EventEnvelope event = mapper.readValue(record.value(), EventEnvelope.class);
            if (!event.isComplete()) {
                throw new PoisonEventException("event without id, type or source at " + position(record));
            }
            return event;
        } catch (JsonProcessingException e) {
            throw new PoisonEventException("not a JSON event at " + position(record) + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    private static String position(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
