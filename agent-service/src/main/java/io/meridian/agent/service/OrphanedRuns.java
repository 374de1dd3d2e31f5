package io.meridian.agent.service;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;

/**
 * Finds runs left RUNNING by a worker that died (no sign of life past their time limit) and retries or fails them, and
 * runs left QUEUED long after their task was queued (ADR 0016) and queues them again.
 */
@ApplicationScoped
public class OrphanedRuns {

    private static final Logger LOG = Logger.getLogger(OrphanedRuns.class);

    private final RunService runs;

    OrphanedRuns(RunService runs) {
        this.runs = runs;
    }

    @Scheduled(identity = "agent-orphaned-runs", every = "${meridian.agent.runs.stale-check-every:30s}",
            delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void check() {
        try {
            int rescued = runs.rescueOrphans();
            if (rescued > 0) {
                LOG.infof("Rescued %d orphaned run(s)", rescued);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Orphaned-run check skipped: %s", e.getMessage());
        }
        try {
            runs.requeueStale();
        } catch (RuntimeException e) {
            LOG.warnf("Queued-run check skipped: %s", e.getMessage());
        }
    }
}
