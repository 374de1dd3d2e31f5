package io.meridian.platform.cache;

import java.net.URI;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.faulttolerance.api.Guard;

/**
 * cache-service for other Meridian services: short timeouts, and a cache that fails counts as a miss (reads answer
 * empty, writes are dropped), counted in {@code meridian_cache_client_failures_total}. A circuit breaker stops paying
 * the timeout while cache-service is down. Each call passes a bearer token: the calling user's (for their
 * {@code user:<id>} namespace) or a machine client's with the cache scopes.
 */
public class CacheClient {

    private static final Logger LOG = Logger.getLogger(CacheClient.class);

    private final CacheApi api;
    private final Guard guard;
    private final Counter failures;

    public CacheClient(URI baseUri, Duration connectTimeout, Duration readTimeout, MeterRegistry registry) {
        this.api = QuarkusRestClientBuilder.newBuilder().baseUri(baseUri)
                .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                // a miss is a 404 answer, not an error: with the default mapper every miss threw, counted as a
                // failure, and a few misses in a row opened the circuit, which turned the cache off for everyone
                .disableDefaultMapper(true)
                .build(CacheApi.class);
        this.guard = Guard.create().withCircuitBreaker().requestVolumeThreshold(10).failureRatio(0.5)
                .delay(5, ChronoUnit.SECONDS).done().build();
        this.failures = Counter.builder("meridian.cache.client.failures")
                .description("Cache calls that failed and counted as a miss").register(registry);
    }

    /** The value, or empty on a miss or when the cache cannot answer. */
    public Optional<byte[]> get(String namespace, String key, String bearerToken) {
        return call("get", () -> {
            try (Response response = api.get(namespace, key, "Bearer " + bearerToken)) {
                if (response.getStatus() == 404) {
                    return Optional.<byte[]>empty();
                }
                requireSuccess(response);
                return Optional.of(response.readEntity(byte[].class));
            }
        }).flatMap(value -> value);
    }

    /** Stores the value for {@code ttl}; false when the cache could not take it (the caller carries on). */
    public boolean put(String namespace, String key, byte[] value, String contentType, Duration ttl, String bearerToken) {
        return call("put", () -> {
            try (Response response = api.put(namespace, key, Math.max(1, ttl.toSeconds()), contentType,
                    "Bearer " + bearerToken, value)) {
                requireSuccess(response);
                return true;
            }
        }).orElse(false);
    }

    public boolean delete(String namespace, String key, String bearerToken) {
        return call("delete", () -> {
            try (Response response = api.delete(namespace, key, "Bearer " + bearerToken)) {
                requireSuccess(response);
                return true;
            }
        }).orElse(false);
    }

    private <T> Optional<T> call(String operation, Supplier<T> action) {
        try {
            @SuppressWarnings("unchecked")
            T result = (T) guard.get(action::get, Object.class);
            return Optional.ofNullable(result);
        } catch (Exception e) {
            failures.increment();
            LOG.debugf("Cache %s failed, counted as a miss: %s", operation, e.toString());
            return Optional.empty();
        }
    }

    private static void requireSuccess(Response response) {
        if (response.getStatus() / 100 != 2) {
            throw new IllegalStateException("cache-service answered " + response.getStatus());
        }
    }
}
