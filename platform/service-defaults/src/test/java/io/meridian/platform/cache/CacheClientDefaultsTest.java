package io.meridian.platform.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The injectable client with the settings a service gets without configuring anything: cache-service's address
 * from CACHE_SERVICE_URL or 127.0.0.1:8084. (A default written as an expression inside @ConfigProperty was not
 * expanded, and rag-service did not start.)
 */
@QuarkusTest
class CacheClientDefaultsTest {

    @Inject
    CacheClient cache;
    @ConfigProperty(name = "meridian.cache-client.url")
    URI url;

    @Test
    void theClientIsInjectableAndAnUnreachableOrRefusingCacheIsAMiss() {
        assertThat(url).isEqualTo(URI.create(System.getenv().getOrDefault("CACHE_SERVICE_URL", "http://127.0.0.1:8084")));
        // nothing answers there in the tests (or a real cache-service refuses this token): a miss, not an error
        assertThat(cache.get("ns", "key", "not-a-token")).isEmpty();
        assertThat(cache.put("ns", "key", new byte[] { 1 }, "application/octet-stream", Duration.ofMinutes(1),
                "not-a-token")).isFalse();
    }
}
