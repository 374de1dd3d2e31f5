package io.meridian.email.service;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.meridian.email.config.EmailConfig;
import io.meridian.email.domain.Delivery;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;

/** Background jobs: the queue-depth gauge, and removing finished deliveries after the retention period. */
@ApplicationScoped
public class DeliveryHousekeeping {

    private static final Logger LOG = Logger.getLogger(DeliveryHousekeeping.class);

    private final EmailConfig config;
    private final AtomicLong queued = new AtomicLong();

    DeliveryHousekeeping(EmailConfig config, MeterRegistry registry) {
        this.config = config;
        Gauge.builder("meridian.email.queue.depth", queued, AtomicLong::get)
                .description("Deliveries waiting to be sent (QUEUED or RETRYING)").register(registry);
    }

    @Scheduled(identity = "email-queue-depth", every = "5s", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    @Transactional
    void measureQueue() {
        queued.set(Delivery.count("status in ?1", java.util.List.of(Delivery.Status.QUEUED,
                Delivery.Status.RETRYING, Delivery.Status.SENDING)));
    }

    @Scheduled(identity = "email-retention", every = "1h",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class, delayed = "5m")
    @Transactional
    void removeOldDeliveries() {
        long deleted = Delivery.delete("status in ?1 and createdAt < ?2",
                java.util.List.of(Delivery.Status.SENT, Delivery.Status.FAILED), Instant.now().minus(config.retention()));
        if (deleted > 0) {
            LOG.infof("Removed %d deliveries older than %s", deleted, config.retention());
        }
    }
}
