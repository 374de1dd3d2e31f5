package io.meridian.cache;

import static io.meridian.cache.CacheFixtures.namespace;
import static io.meridian.cache.CacheFixtures.writer;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.meridian.platform.cache.CacheClient;
import io.meridian.testsupport.FreePorts;
import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.meridian.testsupport.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** The client other services use: a round trip through the real service, and every failure counted as a miss. */
@QuarkusTest
class CacheClientTest {

    @InjectInfrastructure
    Infrastructure infra;
    @Inject
    MeterRegistry registry;

    private CacheClient client(URI uri) {
        return new CacheClient(uri, Duration.ofMillis(200), Duration.ofMillis(1500), registry);
    }

    private CacheClient client() {
        return client(URI.create("http://localhost:" + RestAssured.port));
    }

    @Test
    void storesAndReadsThroughTheService() {
        CacheClient cache = client();
        String ns = namespace("client");
        assertThat(cache.get(ns, "q", writer())).isEmpty();
        assertThat(cache.put(ns, "q", "answer".getBytes(StandardCharsets.UTF_8), "text/plain", Duration.ofMinutes(1),
                writer())).isTrue();
        assertThat(cache.get(ns, "q", writer())).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.UTF_8))
                .isEqualTo("answer"));
        assertThat(cache.delete(ns, "q", writer())).isTrue();
        assertThat(cache.get(ns, "q", writer())).isEmpty();
    }

    @Test
    void aUserUsesTheirOwnNamespaceWithTheirOwnToken() {
        UUID user = UUID.randomUUID();
        String token = Tokens.user(user, "client-user@example.com");
        CacheClient cache = client();
        assertThat(cache.put("user:" + user, "embedding", new byte[] { 1, 2, 3 }, "application/octet-stream",
                Duration.ofMinutes(5), token)).isTrue();
        assertThat(cache.get("user:" + user, "embedding", token)).hasValue(new byte[] { 1, 2, 3 });
        // refused (403) counts as a miss for the caller, never as an error
        assertThat(cache.get("user:" + user, "embedding", Tokens.user(UUID.randomUUID(), "x@example.com"))).isEmpty();
    }

    @Test
    void missesAreAnswersNotFailures() {
        CacheClient cache = client();
        String ns = namespace("client-misses");
        double before = failures();
        // more misses in a row than the circuit breaker's window: a miss must never open it
        for (int i = 0; i < 30; i++) {
            assertThat(cache.get(ns, "absent-" + i, writer())).isEmpty();
        }
        assertThat(failures() - before).isZero();
        assertThat(cache.put(ns, "present", new byte[] { 9 }, "application/octet-stream", Duration.ofMinutes(1),
                writer())).isTrue();
        assertThat(cache.get(ns, "present", writer())).hasValue(new byte[] { 9 });
    }

    @Test
    void failuresAreMissesAndAreCounted() {
        double before = failures();
        CacheClient nowhere = client(URI.create("http://127.0.0.1:" + FreePorts.next()));
        assertThat(nowhere.get("ns", "k", writer())).isEmpty();
        assertThat(nowhere.put("ns", "k", new byte[] { 1 }, "application/octet-stream", Duration.ofMinutes(1),
                writer())).isFalse();

        CacheClient cache = client();
        String ns = namespace("client-down");
        cache.put(ns, "k", new byte[] { 7 }, "application/octet-stream", Duration.ofMinutes(1), writer());
        infra.cacheRedisProxy().cut();
        try {
            assertThat(cache.get(ns, "k", writer())).isEmpty();
        } finally {
            infra.cacheRedisProxy().restore();
        }
        assertThat(failures() - before).isGreaterThanOrEqualTo(3);
    }

    private double failures() {
        var counter = registry.find("meridian.cache.client.failures").counter();
        return counter == null ? 0 : counter.count();
    }
}
