package io.meridian.agent.messaging;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.meridian.agent.service.AgentService;
import io.meridian.agent.service.RunExecutor;
import io.meridian.agent.service.RunService;
import io.meridian.platform.events.EventConsumer;
import io.meridian.platform.events.EventEnvelope;
import io.meridian.platform.events.EventFields;
import io.meridian.platform.events.PoisonEventException;
import io.smallrye.common.annotation.Blocking;

/**
 * The run queue: {@code run.requested} on {@code agent.runs}, taken by whichever replica's worker is free. A run is
 * executed once however often its task is delivered and however many workers see it: a worker first claims the run
 * (QUEUED to RUNNING in one conditional update) and only the one that succeeds executes it. Also removes a deleted
 * user's agents, runs and conversations ({@code user.deleted} on {@code auth.users}).
 */
@ApplicationScoped
public class RunQueue {

    private static final Logger LOG = Logger.getLogger(RunQueue.class);
    static final String USERS_CONSUMER = "agent-auth-users";

    private final EventConsumer consumer;
    private final RunService runs;
    private final RunExecutor executor;
    private final AgentService agents;

    RunQueue(EventConsumer consumer, RunService runs, RunExecutor executor, AgentService agents) {
        this.consumer = consumer;
        this.runs = runs;
        this.executor = executor;
        this.agents = agents;
    }

    @Incoming("agent-runs")
    @io.smallrye.reactive.messaging.annotations.Blocking(value = "agent-workers", ordered = false)
    public void onRunRequested(ConsumerRecord<String, String> record) {
        EventEnvelope event = consumer.read(record);
        if (!"run.requested".equals(event.type())) {
            return; // run.completed and run.failed are for others (email-service)
        }
        UUID runId;
        try {
            runId = UUID.fromString(EventFields.required(event.data(), "runId"));
        } catch (IllegalArgumentException e) {
            throw new PoisonEventException("runId is not a UUID");
        }
        // an unavailable database is waited out here, as in any consumer (ADR 0016)
        Optional<Integer> attempt = consumer.attempt(() -> runs.claim(runId, executor.worker()));
        if (attempt.isEmpty()) {
            LOG.debugf("Run %s is not queued (taken, ended or gone): skipped", runId);
            return;
        }
        executor.execute(runId, attempt.get()); // an attempt stopped by an outage is queued again from there
    }

    @Incoming("auth-users")
    @Blocking
    void onUserEvent(ConsumerRecord<String, String> record) {
        consumer.apply(USERS_CONSUMER, record, event -> {
            if ("user.deleted".equals(event.type())) {
                agents.deleteAllOf(UUID.fromString(EventFields.required(event.data(), "userId")));
            }
        });
    }
}
