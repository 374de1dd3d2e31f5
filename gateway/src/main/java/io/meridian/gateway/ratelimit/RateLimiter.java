package io.meridian.gateway.ratelimit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.meridian.gateway.config.GatewayConfig;
import io.meridian.gateway.routing.PathPatterns;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * Token buckets in Redis, one atomic script call per request (Envoy's and Kong's model): each caller has a bucket per
 * class that holds up to {@code capacity} tokens and refills at {@code refill-per-second}; a request takes one. Redis'
 * own clock is used, so gateway replicas share buckets without sharing clocks. If Redis does not answer within
 * {@code rate-limit-timeout} the request goes through: the limiter fails open, logs, counts
 * {@code meridian_gateway_rate_limit_unavailable_total} and {@code /health} says so (ADR 0006).
 */
@ApplicationScoped
public class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    private static final String DEFAULT = "default";
    // KEYS[1] the bucket; ARGV capacity, refill per second. Returns allowed, tokens left, ms until a token, ms until full.
    private static final String SCRIPT = """
            local capacity = tonumber(ARGV[1])
            local rate = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(bucket[1])
            local at = tonumber(bucket[2])
            if tokens == nil then tokens = capacity; at = now end
            tokens = math.min(capacity, tokens + math.max(0, now - at) / 1000 * rate)
            local allowed = 0
            if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
            redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
            local wait = 0
            if allowed == 0 then wait = math.ceil((1 - tokens) / rate * 1000) end
            return {allowed, math.floor(tokens), wait, math.ceil((capacity - tokens) / rate * 1000)}
            """;

    /** The outcome for one request; {@code limit} is 0 when no limit could be applied (Redis unavailable). */
    public record Decision(boolean allowed, int limit, long remaining, long retryAfterSeconds, long resetSeconds) {

        static Decision unchecked() {
            return new Decision(true, 0, 0, 0, 0);
        }
    }

    private record Bucket(String name, GatewayConfig.RateLimit limit, PathPatterns paths) {
    }

    private final ReactiveRedisDataSource redis;
    private final GatewayConfig config;
    private final List<Bucket> classes;
    private final Bucket fallback;
    private final Counter unavailable;
    private final AtomicLong lastFailureMillis = new AtomicLong();
    private final AtomicLong lastLogMillis = new AtomicLong();
    private volatile String sha;

    RateLimiter(ReactiveRedisDataSource redis, GatewayConfig config, MeterRegistry registry) {
        this.redis = redis;
        this.config = config;
        Map<String, Bucket> buckets = new LinkedHashMap<>();
        config.rateLimits().forEach((name, limit) -> buckets.put(name,
                new Bucket(name, limit, new PathPatterns(limit.paths().orElse(List.of())))));
        this.fallback = buckets.remove(DEFAULT);
        this.classes = List.copyOf(buckets.values());
        this.unavailable = Counter.builder("meridian.gateway.rate-limit.unavailable")
                .description("Requests let through unchecked because Redis did not answer").register(registry);
    }

    /** Takes a token for {@code caller} (user, client or address) from the bucket of the path's class. */
    public Uni<Decision> take(String path, String caller) {
        Bucket bucket = classFor(path);
        if (bucket == null) {
            return Uni.createFrom().item(Decision.unchecked());
        }
        String key = "meridian:ratelimit:" + bucket.name() + ":" + caller;
        String capacity = String.valueOf(bucket.limit().capacity());
        String rate = String.valueOf(bucket.limit().refillPerSecond());
        return run(key, capacity, rate)
                .map(reply -> new Decision(reply.get(0).toInteger() == 1, bucket.limit().capacity(),
                        reply.get(1).toLong(), (reply.get(2).toLong() + 999) / 1000, (reply.get(3).toLong() + 999) / 1000))
                .ifNoItem().after(config.rateLimitTimeout()).fail()
                .onFailure().recoverWithItem(failure -> {
                    failedOpen(failure);
                    return Decision.unchecked();
                });
    }

    /** When the limiter last had to let a request through unchecked, or null if it has not recently (1 minute). */
    public Instant degradedSince() {
        long last = lastFailureMillis.get();
        return last > 0 && System.currentTimeMillis() - last < 60_000 ? Instant.ofEpochMilli(last) : null;
    }

    private Uni<Response> run(String key, String capacity, String rate) {
        String loaded = sha;
        if (loaded != null) {
            return redis.execute("EVALSHA", loaded, "1", key, capacity, rate)
                    .onFailure(e -> String.valueOf(e.getMessage()).startsWith("NOSCRIPT"))
                    .recoverWithUni(() -> load().chain(s -> redis.execute("EVALSHA", s, "1", key, capacity, rate)));
        }
        return load().chain(s -> redis.execute("EVALSHA", s, "1", key, capacity, rate));
    }

    private Uni<String> load() {
        return redis.execute("SCRIPT", "LOAD", SCRIPT).map(reply -> {
            sha = reply.toString();
            return sha;
        });
    }

    private Bucket classFor(String path) {
        for (Bucket bucket : classes) {
            if (bucket.paths().matches(path)) {
                return bucket;
            }
        }
        return fallback;
    }

    private void failedOpen(Throwable failure) {
        unavailable.increment();
        long now = System.currentTimeMillis();
        lastFailureMillis.set(now);
        long logged = lastLogMillis.get();
        if (now - logged > 10_000 && lastLogMillis.compareAndSet(logged, now)) {
            LOG.warnf("Rate limiting is off while Redis does not answer; requests pass unchecked: %s", failure.toString());
        }
    }
}
