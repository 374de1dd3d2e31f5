package io.meridian.agent.service;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.domain.Agent;
import io.meridian.agent.domain.ConversationMessage;
import io.meridian.agent.domain.Run;
import io.meridian.agent.domain.RunStep;
import io.meridian.agent.tool.Caller;
import io.meridian.platform.events.Outbox;
import io.meridian.platform.events.Topics;
import io.meridian.platform.problem.ProblemException;

/**
 * Runs in the database: created, claimed by one worker, their steps written as they happen, ended once, cancelled,
 * and rescued when the worker holding one has died. Every change is its own short transaction, so progress is visible
 * while a run goes on.
 */
@ApplicationScoped
public class RunService {

    private static final Logger LOG = Logger.getLogger(RunService.class);
    static final int MAX_STORED = 20_000;

    /** A step about to be written. */
    public record NewStep(String kind, String tool, String outcome, String arguments, String result, long durationMs,
            Integer inputTokens, Integer outputTokens) {
    }

    private final Outbox outbox;
    private final EntityManager entities;
    private final AgentConfig config;
    private final AgentMetrics metrics;
    private final Quotas quotas;

    RunService(Outbox outbox, EntityManager entities, AgentConfig config, AgentMetrics metrics, Quotas quotas) {
        this.quotas = quotas;
        this.outbox = outbox;
        this.entities = entities;
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * A new run of the agent for the caller: QUEUED with its {@code run.requested} task in the outbox when async;
     * otherwise RUNNING, held by {@code worker}, to be executed inline. 409 when the caller has as many runs queued or
     * running as their quota allows.
     */
    @Transactional
    public Run create(Agent agent, Caller caller, String input, UUID conversationId, boolean async, boolean notify,
            String worker) {
        quotas.admitRun(caller.userId());
        Run run = new Run();
        run.id = UUID.randomUUID();
        run.agentId = agent.id;
        run.ownerId = caller.userId();
        run.ownerEmail = caller.email();
        run.callerRoles = caller.grants();
        run.callerToken = caller.token();
        run.conversationId = conversationId == null ? UUID.randomUUID() : conversationId;
        run.input = input;
        run.notify = notify;
        run.createdAt = Instant.now();
        run.queuedAt = run.createdAt;
        if (async) {
            run.status = Run.Status.QUEUED;
        } else {
            run.status = Run.Status.RUNNING;
            run.attempts = 1;
            run.worker = worker;
            run.startedAt = run.createdAt;
            run.heartbeatAt = run.createdAt;
        }
        run.persist();
        if (async) {
            outbox.publish(Topics.AGENT_RUNS, "run.requested", run.id.toString(),
                    Map.of("runId", run.id.toString(), "agentId", agent.id.toString(), "userId", caller.userId().toString()));
        }
        return run;
    }

    /**
     * Takes a QUEUED run for {@code worker}; only one worker ever gets it, however many try.
     *
     * @return the attempt number, or empty when the run is not (or no longer) QUEUED
     */
    @Transactional
    public Optional<Integer> claim(UUID runId, String worker) {
        int updated = entities.createQuery("""
                update Run r set r.status = 'RUNNING', r.worker = :worker, r.attempts = r.attempts + 1,
                       r.startedAt = coalesce(r.startedAt, :now), r.heartbeatAt = :now
                where r.id = :id and r.status = 'QUEUED'""")
                .setParameter("worker", worker).setParameter("now", Instant.now()).setParameter("id", runId)
                .executeUpdate();
        if (updated == 0) {
            return Optional.empty();
        }
        Run run = Run.findById(runId);
        entities.refresh(run);
        return Optional.of(run.attempts);
    }

    @Transactional
    public Optional<Run> find(UUID runId) {
        return Optional.ofNullable(Run.findById(runId));
    }

    /** What writing a step found: whether this attempt still holds the run, and whether its owner asked to cancel it. */
    public record Progress(boolean held, boolean cancelRequested) {
    }

    /** The index the next step of the run takes (steps of earlier attempts stay). */
    @Transactional
    public int nextStepIndex(UUID runId) {
        Integer last = entities.createQuery("select max(s.index) from RunStep s where s.runId = ?1", Integer.class)
                .setParameter(1, runId).getSingleResult();
        return last == null ? 0 : last + 1;
    }

    /**
     * Writes step {@code index} of the run with a sign of life, if attempt {@code attempt} still holds the run (one
     * conditional update, then the cancellation flag and the insert). JPQL, not native SQL: Hibernate caches a native
     * query with a result mapping under a key it never matches again, so each call would add to that cache.
     */
    @Transactional
    public Progress recordStep(UUID runId, int attempt, int index, NewStep step) {
        int held = entities.createQuery("""
                update Run r set r.heartbeatAt = :now, r.inputTokens = r.inputTokens + :in,
                       r.outputTokens = r.outputTokens + :out
                where r.id = :id and r.status = 'RUNNING' and r.attempts = :attempt""")
                .setParameter("now", Instant.now())
                .setParameter("in", step.inputTokens() == null ? 0 : step.inputTokens())
                .setParameter("out", step.outputTokens() == null ? 0 : step.outputTokens())
                .setParameter("id", runId).setParameter("attempt", attempt).executeUpdate();
        if (held == 0) {
            return new Progress(false, false);
        }
        boolean cancel = entities.createQuery("select r.cancelRequested from Run r where r.id = :id", Boolean.class)
                .setParameter("id", runId).getSingleResult();
        RunStep row = new RunStep();
        row.runId = runId;
        row.index = index;
        row.attempt = attempt;
        row.kind = step.kind();
        row.tool = step.tool();
        row.outcome = step.outcome();
        row.arguments = clip(step.arguments());
        row.result = clip(step.result());
        row.durationMs = step.durationMs();
        row.inputTokens = step.inputTokens();
        row.outputTokens = step.outputTokens();
        row.createdAt = Instant.now();
        row.persist();
        return new Progress(true, cancel);
    }

    @Transactional
    public void recordModel(UUID runId, String modelId) {
        Run run = Run.findById(runId);
        if (run != null) {
            run.model = modelId;
        }
    }

    /** Whether the run's owner asked to cancel it (or it went away). */
    @Transactional
    public boolean cancelRequested(UUID runId) {
        List<Boolean> found = entities.createQuery("select r.cancelRequested from Run r where r.id = ?1", Boolean.class)
                .setParameter(1, runId).getResultList();
        return found.isEmpty() || found.get(0);
    }

    /**
     * Ends the run, once: its status, output or error, the conversation's new turn, and {@code run.completed} or
     * {@code run.failed} in the outbox, in one transaction. The caller's token is forgotten.
     *
     * @return false when this attempt no longer holds the run (it was rescued and retried elsewhere, or deleted)
     */
    @Transactional
    public boolean finish(UUID runId, int attempt, Run.Status status, String output, String error, String agentName) {
        Run run = entities.find(Run.class, runId, LockModeType.PESSIMISTIC_WRITE);
        if (run == null || run.status != Run.Status.RUNNING || run.attempts != attempt) {
            return false;
        }
        end(run, status, output, error, agentName);
        return true;
    }

    private void end(Run run, Run.Status status, String output, String error, String agentName) {
        run.status = status;
        run.output = output == null ? null : clip(output);
        run.error = error == null ? null : error.length() > 2000 ? error.substring(0, 2000) : error;
        run.finishedAt = Instant.now();
        run.callerToken = null;
        if (status == Run.Status.SUCCEEDED) {
            remember(run, "user", run.input);
            remember(run, "assistant", run.output);
        }
        Map<String, Object> data = new HashMap<>();
        data.put("runId", run.id.toString());
        data.put("agentId", run.agentId.toString());
        data.put("agentName", agentName);
        data.put("userId", run.ownerId.toString());
        data.put("status", status.name());
        data.put("notify", run.notify && status != Run.Status.CANCELLED);
        if (run.notify && run.ownerEmail != null) {
            data.put("email", run.ownerEmail);
        }
        if (error != null) {
            data.put("error", run.error);
        }
        outbox.publish(Topics.AGENT_RUNS, status == Run.Status.SUCCEEDED ? "run.completed" : "run.failed",
                run.id.toString(), data);
        metrics.runEnded(status, stepCount(run.id));
    }

    private long stepCount(UUID runId) {
        return RunStep.count("runId", runId);
    }

    private void remember(Run run, String role, String content) {
        ConversationMessage message = new ConversationMessage();
        message.ownerId = run.ownerId;
        message.conversationId = run.conversationId;
        message.runId = run.id;
        message.role = role;
        message.content = content == null ? "" : content;
        message.createdAt = Instant.now();
        message.persist();
    }

    /**
     * The owner's request to cancel: a QUEUED run ends at once; a RUNNING one stops before its next step.
     *
     * @throws ProblemException 404 for another user's run, 409 for one that has already ended
     */
    @Transactional
    public Run cancel(UUID owner, UUID runId) {
        Run run = entities.find(Run.class, runId, LockModeType.PESSIMISTIC_WRITE);
        if (run == null || !run.ownerId.equals(owner)) {
            throw ProblemException.notFound("No run " + runId + ".");
        }
        if (run.status.ended()) {
            throw ProblemException.conflict("The run has already ended (" + run.status + ").");
        }
        run.cancelRequested = true;
        if (run.status == Run.Status.QUEUED) {
            Agent agent = Agent.findById(run.agentId);
            end(run, Run.Status.CANCELLED, null, "Cancelled by its owner before it started.", agent == null ? null : agent.name);
        }
        return run;
    }

    /** The caller's run with its steps, or 404. */
    @Transactional
    public Run owned(UUID owner, UUID runId) {
        Run run = Run.findById(runId);
        if (run == null || !run.ownerId.equals(owner)) {
            throw ProblemException.notFound("No run " + runId + ".");
        }
        return run;
    }

    @Transactional
    public List<RunStep> steps(UUID runId) {
        return RunStep.list("runId = ?1 order by index", runId);
    }

    /**
     * Runs whose worker has shown no sign of life for their time limit plus the grace: back to QUEUED (and on the
     * queue again) while attempts remain, FAILED otherwise. Never left RUNNING.
     *
     * @return how many runs were rescued
     */
    @Transactional
    public int rescueOrphans() {
        Duration grace = config.runs().staleGrace();
        // Candidates: silent for longer than the grace; each is orphaned once silent for its agent's time limit too.
        List<Object[]> candidates = entities.createQuery("""
                select r.id, a.timeLimitSeconds, r.heartbeatAt from Run r, Agent a
                where a.id = r.agentId and r.status = 'RUNNING' and r.heartbeatAt < :cutoff
                order by r.heartbeatAt""", Object[].class)
                .setParameter("cutoff", Instant.now().minus(grace)).setMaxResults(100).getResultList();
        List<UUID> stale = new java.util.ArrayList<>();
        for (Object[] candidate : candidates) {
            Instant silentSince = (Instant) candidate[2];
            if (silentSince.plus(grace).plusSeconds((Integer) candidate[1]).isBefore(Instant.now())) {
                // Another replica checking at the same moment skips what this one holds.
                Run locked = entities.find(Run.class, candidate[0], LockModeType.PESSIMISTIC_WRITE,
                        Map.of("jakarta.persistence.lock.timeout", org.hibernate.LockOptions.SKIP_LOCKED));
                if (locked != null && locked.status == Run.Status.RUNNING && locked.heartbeatAt.equals(silentSince)) {
                    stale.add(locked.id);
                }
            }
        }
        for (UUID id : stale) {
            Run run = Run.findById(id);
            Agent agent = Agent.findById(run.agentId);
            if (run.attempts < config.runs().maxAttempts() && !run.cancelRequested) {
                LOG.warnf("Run %s: worker %s stopped during attempt %d; queued again", run.id, run.worker, run.attempts);
                queueAgain(run);
            } else {
                LOG.warnf("Run %s: worker %s stopped during attempt %d; failed", run.id, run.worker, run.attempts);
                end(run, run.cancelRequested ? Run.Status.CANCELLED : Run.Status.FAILED, null,
                        "The worker executing the run stopped (" + run.attempts + " attempt(s)).", agent.name);
            }
        }
        return stale.size();
    }

    /**
     * Gives a run back to the queue after its attempt stopped on an unavailable dependency, if this attempt still holds
     * it: QUEUED with a new task while attempts remain, FAILED after the last.
     *
     * @return false when the run was no longer this attempt's
     */
    @Transactional
    public boolean requeueAfterOutage(UUID runId, int attempt, String worker) {
        Run run = entities.find(Run.class, runId, LockModeType.PESSIMISTIC_WRITE);
        if (run == null || run.status != Run.Status.RUNNING || run.attempts != attempt || !worker.equals(run.worker)) {
            return false;
        }
        Agent agent = Agent.findById(run.agentId);
        if (run.attempts < config.runs().maxAttempts() && !run.cancelRequested) {
            LOG.warnf("Run %s: attempt %d stopped on an unavailable dependency; queued again", run.id, run.attempts);
            queueAgain(run);
        } else {
            end(run, run.cancelRequested ? Run.Status.CANCELLED : Run.Status.FAILED, null,
                    "A service the run needs was unavailable (" + run.attempts + " attempt(s)).",
                    agent == null ? null : agent.name);
        }
        return true;
    }

    /**
     * Queues again the runs still QUEUED {@code requeue-after} after their task was queued (at most 100 per check);
     * another replica checking at the same moment skips what this one holds. A run is claimed once however often its
     * task is delivered.
     *
     * @return how many were queued again
     */
    @Transactional
    public int requeueStale() {
        List<Run> stale = entities.createQuery(
                "select r from Run r where r.status = 'QUEUED' and r.queuedAt < :cutoff order by r.queuedAt", Run.class)
                .setParameter("cutoff", Instant.now().minus(config.runs().requeueAfter())).setMaxResults(100)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .setHint("jakarta.persistence.lock.timeout", org.hibernate.LockOptions.SKIP_LOCKED).getResultList();
        for (Run run : stale) {
            LOG.warnf("Run %s still queued since %s: queued again", run.id, run.queuedAt);
            run.queuedAt = Instant.now();
            outbox.publish(Topics.AGENT_RUNS, "run.requested", run.id.toString(), Map.of("runId", run.id.toString(),
                    "agentId", run.agentId.toString(), "userId", run.ownerId.toString(), "requeued", true));
        }
        return stale.size();
    }

    /** Back to QUEUED with a new task, for another attempt. */
    private void queueAgain(Run run) {
        run.status = Run.Status.QUEUED;
        run.worker = null;
        run.queuedAt = Instant.now();
        outbox.publish(Topics.AGENT_RUNS, "run.requested", run.id.toString(), Map.of("runId", run.id.toString(),
                "agentId", run.agentId.toString(), "userId", run.ownerId.toString(), "retry", run.attempts));
    }

    private static String clip(String text) {
        return text == null || text.length() <= MAX_STORED ? text : text.substring(0, MAX_STORED) + " [cut]";
    }
}
