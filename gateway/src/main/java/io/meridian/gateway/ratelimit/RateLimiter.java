package io.meridian.gateway.ratelimit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.meridian.gateway.config.GatewayConfig;
import io.meridian.gateway.routing.PathPatterns;
import io.meridian.platform.redis.RedisScript;
import io.meridian.platform.security.RevokedSessionKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;

/**
 * Token buckets in Redis, one atomic script call per request (Envoy's and Kong's model; the calls of the requests one
 * event-loop turn reads go to Redis pipelined, in one write): each caller has a bucket per
 * class that holds up to {@code capacity} tokens and refills at {@code refill-per-second}; a request takes one. Redis'
 * own clock is used, so gateway replicas share buckets without sharing clocks. The same call tells whether the
 * token's session is on the revoked-session deny-list, so a protected request costs one Redis round trip. If Redis
 * does not answer within {@code rate-limit-timeout} the request goes through: the limiter fails open, logs, counts
 * {@code meridian_gateway_rate_limit_unavailable_total} and {@code /health} says so (ADR 0006).
 */
@ApplicationScoped
public class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    private static final String DEFAULT = "default";
    // KEYS[1] the bucket, KEYS[2] (optional) the session's deny-list key; ARGV capacity, refill per second.
    // Returns allowed (1, 0, or -1 for a revoked session), tokens left, ms until a token, ms until full.
    private static final RedisScript SCRIPT = new RedisScript("""
            if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then return {-1, 0, 0, 0} end
            local capacity = tonumber(ARGV[1])
            local rate = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(bucket[1])
            local at = tonumber(bucket[2])
            if tokens == nil then tokens = capacity; at = now end
            tokens = math.min(capacity, tokens + math.max(0, now - at) / 1000 * rate)
            local cost = tonumber(ARGV[3] or '1')
            local allowed = 0
            if tokens >= cost then tokens = tokens - cost; allowed = 1 end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
            redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
            local wait = 0
            if allowed == 0 then wait = math.ceil((math.min(cost, capacity) - tokens) / rate * 1000) end
            return {allowed, math.floor(tokens), wait, math.ceil((capacity - tokens) / rate * 1000)}
            """);

    /**
     * The outcome for one request; {@code limit} is 0 when no limit could be applied (Redis unavailable), and
     * {@code revoked} is true when the token's session is on the deny-list.
     */
    public record Decision(boolean allowed, boolean revoked, int limit, long remaining, long retryAfterSeconds,
            long resetSeconds) {

        static Decision unchecked() {
            return new Decision(true, false, 0, 0, 0, 0);
        }
    }

    private record Bucket(String name, GatewayConfig.RateLimit limit, PathPatterns paths) {
    }

    /** One request's call, waiting for the end of the event loop's turn. */
    private record Pending(Bucket bucket, List<String> keys, List<String> args, Promise<Decision> decision) {
    }

    /** The calls gathered on this event-loop thread during its current turn. */
    private static final ThreadLocal<List<Pending>> BATCH = new ThreadLocal<>();

    private final Redis redis;
    private final FastThreadLocal<Redis> perLoop = new FastThreadLocal<>();
    private final String hosts;
    private final int poolSize;
    private final int poolWaiting;
    private final Vertx vertx;
    private final long timeoutMillis;
    private final String keyPrefix;
    private final List<Bucket> classes;
    private final Bucket fallback;
    private final Counter unavailable;
    private final AtomicLong lastFailureMillis = new AtomicLong();
    private final AtomicLong lastLogMillis = new AtomicLong();

    RateLimiter(Redis redis, Vertx vertx, GatewayConfig config, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.redis.hosts") String hosts,
            @ConfigProperty(name = "quarkus.redis.max-pool-size", defaultValue = "6") int poolSize,
            @ConfigProperty(name = "quarkus.redis.max-pool-waiting", defaultValue = "24") int poolWaiting) {
        this.redis = redis;
        this.hosts = hosts;
        this.poolSize = poolSize;
        this.poolWaiting = poolWaiting;
        this.vertx = vertx;
        this.timeoutMillis = config.rateLimitTimeout().toMillis();
        this.keyPrefix = config.rateLimitKeyPrefix();
        Map<String, Bucket> buckets = new LinkedHashMap<>();
        config.rateLimits().forEach((name, limit) -> buckets.put(name,
                new Bucket(name, limit, new PathPatterns(limit.paths().orElse(List.of())))));
        this.fallback = buckets.remove(DEFAULT);
        this.classes = List.copyOf(buckets.values());
        this.unavailable = Counter.builder("meridian.gateway.rate-limit.unavailable")
                .description("Requests let through unchecked (rate limit and deny-list) because Redis did not answer")
                .register(registry);
    }

    /**
     * Takes a token for {@code caller} (user, client or address) from the bucket of the path's class and, when
     * {@code sessionId} is given, checks the session against the deny-list. Never fails: without Redis, the request
     * passes unchecked.
     */
    public Future<Decision> take(String path, String caller, String sessionId) {
        return take(path, caller, sessionId, 1);
    }

    /** As {@link #take(String, String, String)}, taking {@code cost} tokens at once (a GraphQL query's service calls). */
    public Future<Decision> take(String path, String caller, String sessionId, int cost) {
        Bucket bucket = classFor(path);
        if (bucket == null) {
            return Future.succeededFuture(Decision.unchecked());
        }
        String capacity = String.valueOf(bucket.limit().capacity());
        String rate = String.valueOf(bucket.limit().refillPerSecond());
        String bucketKey = keyPrefix + bucket.name() + ":" + caller;
        List<String> keys = sessionId == null ? List.of(bucketKey)
                : List.of(bucketKey, RevokedSessionKeys.key(sessionId));
        Pending pending = new Pending(bucket, keys,
                cost == 1 ? List.of(capacity, rate) : List.of(capacity, rate, String.valueOf(cost)), Promise.promise());
        Context context = Vertx.currentContext();
        if (context == null || !context.isEventLoopContext()) {
            send(List.of(pending));
            return pending.decision().future();
        }
        // On the event loop, the calls of the requests read in one turn of the loop go to Redis as one pipelined
        // batch at its end: one write and one read for them all instead of one each.
        List<Pending> batch = BATCH.get();
        if (batch == null) {
            List<Pending> fresh = new ArrayList<>();
            BATCH.set(fresh);
            context.runOnContext(ignored -> {
                BATCH.remove();
                send(fresh);
            });
            batch = fresh;
        }
        batch.add(pending);
        return pending.decision().future();
    }

    /**
     * The Redis client of the calling event loop, made on it, so that its connections live on the loop that serves the
     * request: with the one client Quarkus makes, whose connections belong to another event loop, every call crossed
     * threads twice (measured: 12,000 against 14,300 requests a second on the public route, issue 19). Off the event
     * loops, the shared client.
     */
    private Redis redis() {
        if (!Context.isOnEventLoopThread() || hosts.contains(",")) { // several hosts: Quarkus' client knows how
            return redis;
        }
        Redis own = perLoop.get();
        if (own == null) {
            own = Redis.createClient(vertx, new RedisOptions().setConnectionString(hosts).setMaxPoolSize(poolSize)
                    .setMaxPoolWaiting(poolWaiting));
            perLoop.set(own);
        }
        return own;
    }

    private void send(List<Pending> batch) {
        long timer = vertx.setTimer(timeoutMillis, id -> {
            TimeoutException late = new TimeoutException("Redis did not answer within " + timeoutMillis + " ms");
            batch.forEach(pending -> pending.decision().tryComplete(failedOpen(late)));
        });
        Future<List<Response>> replies;
        if (batch.size() == 1) {
            Pending only = batch.get(0);
            replies = SCRIPT.run(redis(), only.keys(), only.args()).map(List::of);
        } else {
            List<List<String>> keys = new ArrayList<>(batch.size());
            List<List<?>> args = new ArrayList<>(batch.size());
            batch.forEach(pending -> {
                keys.add(pending.keys());
                args.add(pending.args());
            });
            replies = SCRIPT.runAll(redis(), keys, args);
        }
        replies.onComplete(result -> {
            vertx.cancelTimer(timer);
            for (int i = 0; i < batch.size(); i++) {
                Pending pending = batch.get(i);
                if (result.succeeded()) {
                    Response reply = result.result().get(i);
                    int allowed = reply.get(0).toInteger();
                    pending.decision().tryComplete(new Decision(allowed == 1, allowed == -1,
                            pending.bucket().limit().capacity(), reply.get(1).toLong(),
                            (reply.get(2).toLong() + 999) / 1000, (reply.get(3).toLong() + 999) / 1000));
                } else {
                    pending.decision().tryComplete(failedOpen(result.cause()));
                }
            }
        });
    }

    /** When the limiter last had to let a request through unchecked, or null if it has not recently (1 minute). */
    public Instant degradedSince() {
        long last = lastFailureMillis.get();
        return last > 0 && System.currentTimeMillis() - last < 60_000 ? Instant.ofEpochMilli(last) : null;
    }

    private Bucket classFor(String path) {
        for (Bucket bucket : classes) {
            if (bucket.paths().matches(path)) {
                return bucket;
            }
        }
        return fallback;
    }

    private Decision failedOpen(Throwable failure) {
        unavailable.increment();
        long now = System.currentTimeMillis();
        lastFailureMillis.set(now);
        long logged = lastLogMillis.get();
        if (now - logged > 10_000 && lastLogMillis.compareAndSet(logged, now)) {
            LOG.warnf("Rate limiting and the deny-list are off while Redis does not answer; requests pass unchecked: %s",
                    failure.toString());
        }
        return Decision.unchecked();
    }
}
