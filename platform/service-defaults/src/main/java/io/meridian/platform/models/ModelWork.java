package io.meridian.platform.models;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.meridian.platform.problem.ProblemException;
import io.meridian.platform.redis.RedisScript;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * What model work one user and one replica may take (ADR 0017): the user's tokens per UTC day, shared by every
 * service that calls a model (spent: 429 until midnight), the user's concurrent work of one kind across replicas (past
 * it 429), then a bulkhead per kind of work on this replica (model calls cannot take the workers the rest of the API
 * needs: past it 503). The per-user state lives in the platform's Redis under the user's hash tag; a slot is a member
 * of a sorted set scored by its lease's end, so that a replica that dies holding one frees it when the lease ends.
 * If Redis does not answer, the work goes ahead unchecked (logged, counted in
 * {@code meridian_model_work_unchecked_total}): a budget is not worth an outage.
 */
@ApplicationScoped
public class ModelWork {

    private static final Logger LOG = Logger.getLogger(ModelWork.class);

    /** A user's tokens today: the budget (0: none), what they have used and when the count starts again. */
    public record Budget(long tokensPerDay, long usedToday, Instant resetsAt) {
    }

    /** Holds a place for one piece of model work; close it when the work ends (however it ends). */
    public interface Permit extends AutoCloseable {

        @Override
        void close();
    }

    // KEYS tokens today, the user's slots of this kind; ARGV budget (0: none), slots allowed, now ms, lease ms, slot id.
    // Returns {0: taken | 1: budget spent | 2: no slot free, tokens used, slots held}.
    private static final RedisScript ADMIT = new RedisScript("""
            local used = tonumber(redis.call('GET', KEYS[1]) or 0)
            local budget = tonumber(ARGV[1])
            if budget > 0 and used >= budget then return {1, used, 0} end
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
            local held = redis.call('ZCARD', KEYS[2])
            if held >= tonumber(ARGV[2]) then return {2, used, held} end
            redis.call('ZADD', KEYS[2], tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[5])
            redis.call('PEXPIRE', KEYS[2], ARGV[4])
            return {0, used, held + 1}
            """);
    // KEYS tokens today; ARGV tokens, seconds the count lives.
    private static final RedisScript CHARGE = new RedisScript("""
            local used = redis.call('INCRBY', KEYS[1], ARGV[1])
            if used == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
            return used
            """);

    private final Redis redis;
    private final long tokensPerDay;
    private final int perUser;
    private final int concurrency;
    private final Duration timeout;
    private final ConcurrentMap<String, Semaphore> bulkheads = new ConcurrentHashMap<>();
    private final Counter unchecked;
    private final Counter refused;
    private final AtomicLong lastWarning = new AtomicLong();

    ModelWork(Redis redis, MeterRegistry registry,
            @ConfigProperty(name = "meridian.model-work.tokens-per-day") long tokensPerDay,
            @ConfigProperty(name = "meridian.model-work.per-user") int perUser,
            @ConfigProperty(name = "meridian.model-work.concurrency") int concurrency,
            @ConfigProperty(name = "meridian.model-work.redis-timeout") Duration timeout) {
        this.redis = redis;
        this.tokensPerDay = tokensPerDay;
        this.perUser = perUser;
        this.concurrency = concurrency;
        this.timeout = timeout;
        this.unchecked = Counter.builder("meridian.model.work.unchecked")
                .description("Model work let through without its per-user checks because Redis did not answer")
                .register(registry);
        this.refused = Counter.builder("meridian.model.work.refused")
                .description("Model work refused: replica at capacity, user's concurrency or daily tokens")
                .register(registry);
    }

    /**
     * A place for one piece of {@code kind} work of {@code user} (an ask, an inline run), held at most {@code lease}:
     * 429 when their tokens for today are spent or they already have {@code per-user} of this kind under way; 503 when
     * this replica runs {@code concurrency} of this kind already.
     */
    public Permit admit(UUID user, String kind, Duration lease) {
        String slot = UUID.randomUUID().toString();
        String slots = slotsKey(user, kind);
        Reply answer = call(ADMIT.run(redis, List.of(tokensKey(user, today()), slots), List.of(tokensPerDay, perUser,
                System.currentTimeMillis(), lease.toMillis(), slot)));
        if (answer != null && answer.value().get(0).toInteger() != 0) {
            refused.increment();
            long used = answer.value().get(1).toLong();
            if (answer.value().get(0).toInteger() == 1) {
                throw spent(used);
            }
            throw ProblemException.overLimit("concurrent" + Character.toUpperCase(kind.charAt(0)) + kind.substring(1)
                    + "s", "your " + kind + "s under way", perUser, answer.value().get(2).toLong(), 5);
        }
        Runnable release = answer == null ? () -> { } : () -> redis.send(Request.cmd(Command.ZREM).arg(slots).arg(slot))
                .onFailure(e -> LOG.debugf("A model-work slot was not released (its lease ends it): %s", e.toString()));
        Semaphore bulkhead = bulkheads.computeIfAbsent(kind, k -> new Semaphore(concurrency));
        if (!bulkhead.tryAcquire()) {
            release.run();
            refused.increment();
            throw ProblemException.unavailable("Model work is at capacity on this replica (" + concurrency + " "
                    + kind + "s under way); try again shortly" + ("run".equals(kind) ? ", or run it with async: true."
                            : ".")).withHeader("Retry-After", "5");
        }
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                bulkhead.release();
                release.run();
            }
        };
    }

    /** 429 when the user's tokens for today are spent (for work already admitted, before each further model call). */
    public void checkBudget(UUID user) {
        if (tokensPerDay <= 0) {
            return;
        }
        long used = usedToday(user);
        if (used >= tokensPerDay) {
            refused.increment();
            throw spent(used);
        }
    }

    /** Adds what a model call used to the user's count for today. */
    public void charge(UUID user, long tokens) {
        if (tokens > 0) {
            call(CHARGE.run(redis, List.of(tokensKey(user, today())), List.of(tokens, 2 * 24 * 3600)));
        }
    }

    /** The user's budget and what they used today (used -1 when Redis does not answer). */
    public Budget budget(UUID user) {
        return new Budget(tokensPerDay, usedToday(user), midnight());
    }

    /** Tokens the user used today; -1 when Redis does not answer. */
    private long usedToday(UUID user) {
        Reply used = call(redis.send(Request.cmd(Command.GET).arg(tokensKey(user, today()))));
        return used == null ? -1 : used.value() == null ? 0 : used.value().toLong();
    }

    private ProblemException spent(long used) {
        long untilMidnight = Math.max(1, Duration.between(Instant.now(), midnight()).toSeconds());
        return ProblemException.overLimit("tokensPerDay", "your model tokens today", tokensPerDay, used,
                untilMidnight);
    }

    /** What Redis answered (its value null for a missing key). */
    private record Reply(Response value) {
    }

    /** The reply, or null when Redis did not answer in time (the check is then skipped). */
    private Reply call(io.vertx.core.Future<Response> future) {
        try {
            return new Reply(future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            unchecked.increment();
            long now = System.currentTimeMillis();
            long logged = lastWarning.get();
            if (now - logged > 10_000 && lastWarning.compareAndSet(logged, now)) {
                LOG.warnf("Redis did not answer: model work goes ahead without its per-user limits: %s", e.toString());
            }
            return null;
        }
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    private static Instant midnight() {
        return today().plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    private static String tokensKey(UUID user, LocalDate day) {
        return "meridian:tokens:{" + user + "}:" + day;
    }

    private static String slotsKey(UUID user, String kind) {
        return "meridian:model-work:{" + user + "}:" + kind;
    }
}
