package io.meridian.platform.events;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.platform.requestid.RequestIds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.faulttolerance.api.Guard;

/**
 * Applies an incoming event at most once: the event id is recorded in the same transaction as the effect. How a
 * failing effect is retried depends on the failure (ADR 0016):
 * <ul>
 * <li>transient ({@link TransientFailures}: the database, Redis, Kafka or a downstream service unavailable): the
 * record waits and is tried again with exponential backoff ({@code meridian.consumer.retry-delay} doubling up to
 * {@code meridian.consumer.max-retry-delay}) for as long as {@code meridian.consumer.transient-wait} (an hour), each
 * time in a new transaction; a short outage never sends it to the dead-letter topic;</li>
 * <li>anything else: a bounded number of tries ({@code meridian.consumer.max-retries}), then thrown back, and the
 * channel's {@code dead-letter-queue} failure strategy sends the record to {@code <topic>.dlq} with the reason;</li>
 * <li>records that are not Meridian events ({@link PoisonEventException}) go there at once.</li>
 * </ul>
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
    /** Outer: waits out transient failures. Inner: a few tries for the rest. */
    private final Guard waits;
    private final Guard retries;
    private final Counter transientFailures;

    EventConsumer(ObjectMapper mapper, ProcessedEvents processed, MeterRegistry registry,
            @ConfigProperty(name = "meridian.consumer.max-retries", defaultValue = "3") int maxRetries,
            @ConfigProperty(name = "meridian.consumer.retry-delay", defaultValue = "PT0.2S") Duration delay,
            @ConfigProperty(name = "meridian.consumer.max-retry-delay", defaultValue = "PT30S") Duration maxDelay,
            @ConfigProperty(name = "meridian.consumer.transient-wait", defaultValue = "PT1H") Duration transientWait) {
        this.mapper = mapper;
        this.processed = processed;
        this.transientFailures = Counter.builder("meridian.consumer.transient.failures")
                .description("Attempts of consumed events that failed on an unavailable dependency and will be retried")
                .register(registry);
        this.waits = Guard.create()
                .withRetry().maxRetries(-1).maxDuration(transientWait.toMillis(), ChronoUnit.MILLIS)
                .delay(delay.toMillis(), ChronoUnit.MILLIS).jitter(delay.toMillis() / 2, ChronoUnit.MILLIS)
                .withExponentialBackoff().factor(2).maxDelay(maxDelay.toMillis(), ChronoUnit.MILLIS).done()
                .whenException(TransientFailures::isTransient)
                .beforeRetry(failure -> {
                    transientFailures.increment();
                    LOG.warnf("A dependency is unavailable (%s); the event waits and is tried again", failure.toString());
                }).done()
                .build();
        this.retries = Guard.create()
                .withRetry().maxRetries(maxRetries).delay(delay.toMillis(), ChronoUnit.MILLIS)
                .jitter(delay.toMillis() / 2, ChronoUnit.MILLIS)
                .whenException(failure -> !TransientFailures.isTransient(failure)
                        && !(failure instanceof PoisonEventException)).done()
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
            boolean applied = attempt(() -> QuarkusTransaction.requiringNew().call(() -> {
                if (!processed.markProcessed(consumerName, event.id())) {
                    return false;
                }
                effect.accept(event);
                return true;
            }));
            if (!applied) {
                LOG.debugf("%s skipped event %s: already applied", consumerName, event.id());
            }
            return applied;
        } finally {
            RequestIds.set(previous);
        }
    }

    /**
     * Runs work a consumer does for a record outside {@link #apply} (reading state, slow preparation) under the same
     * rules: transient failures wait and retry, others are retried a few times and then thrown back.
     */
    public <T> T attempt(Callable<T> work) {
        try {
            @SuppressWarnings("unchecked")
            T result = (T) waits.call(() -> retries.call(work::call, Object.class), Object.class);
            return result;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
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
