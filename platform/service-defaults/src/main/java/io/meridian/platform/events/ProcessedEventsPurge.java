package io.meridian.platform.events;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.scheduler.Scheduled;

/** A background job in every consuming service: forgets processed events once redelivery is no longer possible. */
@ApplicationScoped
@IfBuildProperty(name = "meridian.consumer.enabled", stringValue = "true")
public class ProcessedEventsPurge {

    private static final Logger LOG = Logger.getLogger(ProcessedEventsPurge.class);

    private final ProcessedEvents processed;
    private final Duration retention;

    ProcessedEventsPurge(ProcessedEvents processed,
            @ConfigProperty(name = "meridian.consumer.processed-retention", defaultValue = "P14D") Duration retention) {
        this.processed = processed;
        this.retention = retention;
    }

    @Scheduled(identity = "processed-events-purge", every = "1h",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class, delayed = "2m")
    void purge() {
        int deleted = processed.purgeOlderThan(retention);
        if (deleted > 0) {
            LOG.infof("Forgot %d processed events older than %s", deleted, retention);
        }
    }
}
