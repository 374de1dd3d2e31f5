package io.meridian.cache;

import static io.meridian.cache.CacheFixtures.namespace;
import static io.meridian.cache.CacheFixtures.writer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** A namespace of 100,000 entries is flushed in batches while other requests keep being answered. */
@QuarkusTest
class LargeNamespaceFlushTest {

    private static final Logger LOG = Logger.getLogger(LargeNamespaceFlushTest.class);

    @Test
    void flushingOneHundredThousandKeysLeavesRedisResponsive() throws Exception {
        String big = namespace("big");
        String token = writer();
        for (int call = 0; call < 100; call++) {
            List<Map<String, Object>> entries = new ArrayList<>(1000);
            for (int i = 0; i < 1000; i++) {
                entries.add(Map.of("key", "k" + (call * 1000 + i), "value", "v"));
            }
            given().auth().oauth2(token).contentType("application/json").body(Map.of("entries", entries))
                    .when().post("/api/cache/" + big + "/bulk-put").then().statusCode(200);
        }
        assertThat(((Number) CacheStatsTest.namespaceStats(big).get("keys")).longValue()).isEqualTo(100_000);

        String other = namespace("neighbour");
        given().auth().oauth2(token).body("still here").when().put("/api/cache/" + other + "/k").then().statusCode(204);
        AtomicBoolean flushing = new AtomicBoolean(true);
        AtomicInteger answeredDuringFlush = new AtomicInteger();
        AtomicInteger slowest = new AtomicInteger();
        CompletableFuture<Void> neighbour = CompletableFuture.runAsync(() -> {
            while (flushing.get()) {
                long started = System.nanoTime();
                given().auth().oauth2(token).when().get("/api/cache/" + other + "/k").then().statusCode(200);
                slowest.accumulateAndGet((int) ((System.nanoTime() - started) / 1_000_000), Math::max);
                if (flushing.get()) {
                    answeredDuringFlush.incrementAndGet();
                }
            }
        });

        long started = System.nanoTime();
        given().auth().oauth2(token).when().delete("/api/cache/" + big).then().statusCode(204);
        long flushMillis = (System.nanoTime() - started) / 1_000_000;
        flushing.set(false);
        neighbour.get();

        LOG.infof("Flushed 100,000 entries in %d ms; a neighbour's %d reads during it, the slowest %d ms", flushMillis,
                answeredDuringFlush.get(), slowest.get());
        // The flush is many small scripts, so other requests are served between them.
        assertThat(answeredDuringFlush.get()).isPositive();
        // emptied, the namespace leaves the registry: the stats no longer list it
        assertThat(given().auth().oauth2(CacheFixtures.admin()).when().get("/api/cache/stats").then().extract()
                .jsonPath().getList("namespaces.name")).doesNotContain(big);
        given().auth().oauth2(token).when().get("/api/cache/" + big + "/k99999").then().statusCode(404);
        given().auth().oauth2(token).when().get("/api/cache/" + other + "/k").then().statusCode(200);
    }
}
