package io.meridian.platform.events;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.meridian.platform.jobs.WakeableLoop;
import io.meridian.platform.requestid.RequestIds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Publishes the outbox to Kafka. Replicas take turns under a transaction-scoped advisory lock (so one aggregate's
 * events leave in order) and each batch is also claimed with {@code FOR UPDATE SKIP LOCKED}, so no row is ever
 * published twice; it is sent with an idempotent producer ({@code acks=all}) and marked published in
 * the same transaction once every record is acknowledged. While Kafka is unreachable the rows stay pending and
 * the relay backs off exponentially; nothing is lost.
 */
@ApplicationScoped
@IfBuildProperty(name = "meridian.outbox.relay.enabled", stringValue = "true")
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final String CLAIM = """
            select id, topic, event_key, payload, request_id, trace_parent from outbox_event
            where published_at is null order by created_at limit ? for update skip locked""";
    private static final String MARK = "update outbox_event set published_at = now() where id = any (?)";
    private static final String STATS = "select count(*), min(created_at) from outbox_event where published_at is null";
    private static final String PURGE = "delete from outbox_event where published_at < ?";

    private final AgroalDataSource dataSource;
    private final String bootstrapServers;
    private final int batchSize;
    private final Duration maxBackoff;
    private final Duration retention;
    private final Counter published;
    private final Counter failures;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong oldestPendingAgeSeconds = new AtomicLong();

    private final WakeableLoop loop;

    private Producer<String, String> producer;
    private int consecutiveFailures;
    private Instant pausedUntil = Instant.MIN;

    OutboxRelay(AgroalDataSource dataSource, MeterRegistry registry,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = "meridian.outbox.batch-size", defaultValue = "200") int batchSize,
            @ConfigProperty(name = "meridian.outbox.max-backoff", defaultValue = "PT5S") Duration maxBackoff,
            @ConfigProperty(name = "meridian.outbox.retention", defaultValue = "P7D") Duration retention,
            @ConfigProperty(name = "meridian.outbox.poll-interval", defaultValue = "PT0.5S") Duration pollInterval) {
        this.dataSource = dataSource;
        this.loop = new WakeableLoop("outbox-relay", pollInterval, this::relayPending);
        this.bootstrapServers = bootstrapServers;
        this.batchSize = batchSize;
        this.maxBackoff = maxBackoff;
        this.retention = retention;
        this.published = Counter.builder("meridian.outbox.published")
                .description("Outbox events published to Kafka").register(registry);
        this.failures = Counter.builder("meridian.outbox.publish.failures")
                .description("Relay passes that failed because Kafka or the database was unreachable").register(registry);
        Gauge.builder("meridian.outbox.pending", pending, AtomicLong::get)
                .description("Outbox events not yet published").register(registry);
        Gauge.builder("meridian.outbox.oldest.pending.age", oldestPendingAgeSeconds, AtomicLong::get)
                .baseUnit("seconds").description("Age of the oldest unpublished outbox event").register(registry);
    }

    void start(@Observes StartupEvent startup) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        loop.stop();
    }

    /** Called after a transaction that wrote events commits, so they leave without waiting for the next poll. */
    public void wakeUp() {
        loop.wakeUp();
    }

    /**
     * Publishes pending events until none is left, unless the relay is backing off after a failure.
     *
     * @return how many events were published
     */
    public synchronized int relayPending() {
        if (Instant.now().isBefore(pausedUntil)) {
            return 0;
        }
        int total = 0;
        try {
            int batch;
            do {
                batch = QuarkusTransaction.requiringNew().timeout(120).call(this::relayBatch);
                total += batch;
            } while (batch == batchSize);
            if (consecutiveFailures > 0) {
                LOG.infof("Outbox relay is publishing again after %d failed attempt(s)", consecutiveFailures);
            }
            consecutiveFailures = 0;
        } catch (RuntimeException e) {
            consecutiveFailures++;
            failures.increment();
            long backoffMillis = Math.min(maxBackoff.toMillis(), 250L << Math.min(consecutiveFailures, 16));
            pausedUntil = Instant.now().plusMillis(backoffMillis);
            LOG.warnf("Outbox relay could not publish (attempt %d, next in %d ms): %s", consecutiveFailures,
                    backoffMillis, rootMessage(e));
            resetProducer();
        }
        return total;
    }

    private int relayBatch() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            // One relay at a time per schema: replicas take turns, so one aggregate's events keep their order.
            try (PreparedStatement lock = connection.prepareStatement(
                    "select pg_advisory_xact_lock(hashtext(current_schema() || '.outbox-relay'))")) {
                lock.execute();
            }
            List<UUID> ids = new ArrayList<>();
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
                claim.setInt(1, batchSize);
                try (ResultSet rows = claim.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getObject("id", UUID.class));
                        ProducerRecord<String, String> record = new ProducerRecord<>(rows.getString("topic"),
                                rows.getString("event_key"), rows.getString("payload"));
                        record.headers().add("content-type",
                                EventEnvelope.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
                        String requestId = rows.getString("request_id");
                        if (requestId != null) {
                            record.headers().add(RequestIds.HEADER, requestId.getBytes(StandardCharsets.UTF_8));
                        }
                        String traceParent = rows.getString("trace_parent");
                        if (traceParent != null) { // consumers' spans continue the trace of the request that wrote it
                            record.headers().add("traceparent", traceParent.getBytes(StandardCharsets.UTF_8));
                        }
                        acks.add(producer().send(record));
                    }
                }
            }
            if (ids.isEmpty()) {
                return 0;
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
            try (PreparedStatement mark = connection.prepareStatement(MARK)) {
                mark.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
                mark.executeUpdate();
            }
            published.increment(ids.size());
            return ids.size();
        }
    }

    @Scheduled(identity = "outbox-stats", every = "${meridian.outbox.stats-interval:5s}",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshStats() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement stats = connection.prepareStatement(STATS);
                ResultSet row = stats.executeQuery()) {
            row.next();
            pending.set(row.getLong(1));
            Timestamp oldest = row.getTimestamp(2);
            oldestPendingAgeSeconds.set(oldest == null ? 0
                    : Math.max(0, Duration.between(oldest.toInstant(), Instant.now()).toSeconds()));
        } catch (SQLException e) {
            LOG.debugf("Outbox statistics unavailable: %s", e.getMessage());
        }
    }

    /** Keeps published events for a while (to investigate), then deletes them. */
    @Scheduled(identity = "outbox-purge", every = "1h",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class, delayed = "1m")
    void purgePublished() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement purge = connection.prepareStatement(PURGE)) {
            purge.setTimestamp(1, Timestamp.from(Instant.now().minus(retention)));
            int deleted = purge.executeUpdate();
            if (deleted > 0) {
                LOG.infof("Purged %d published outbox events older than %s", deleted, retention);
            }
        } catch (SQLException e) {
            LOG.warnf("Outbox purge skipped: %s", e.getMessage());
        }
    }

    public long pendingCount() {
        refreshStats();
        return pending.get();
    }

    private Producer<String, String> producer() {
        if (producer == null) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
            props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "outbox-relay-" + UUID.randomUUID());
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            producer = new KafkaProducer<>(props);
        }
        return producer;
    }

    private void resetProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
