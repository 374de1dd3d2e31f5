package io.meridian.cache;

import static io.meridian.cache.CacheFixtures.admin;
import static io.meridian.cache.CacheFixtures.namespace;
import static io.meridian.cache.CacheFixtures.writer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.redis.client.RedisClientName;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Hits, misses and keys counted exactly under concurrent access, and shown to admins and to Prometheus. */
@QuarkusTest
class CacheStatsTest {

    @Inject
    @RedisClientName("cache")
    RedisDataSource cacheRedis;

    @Test
    void concurrentReadsAreCountedExactly() throws Exception {
        String ns = namespace("stats");
        for (int i = 0; i < 5; i++) {
            given().auth().oauth2(writer()).body("v" + i).when().put("/api/cache/" + ns + "/k" + i).then().statusCode(204);
        }
        String token = writer();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    given().auth().oauth2(token).when().get("/api/cache/" + ns + "/k" + (i % 5)).then().statusCode(200);
                    given().auth().oauth2(token).when().get("/api/cache/" + ns + "/absent" + i).then().statusCode(404);
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        // a bulk read counts each key: 2 hits, 1 miss
        given().auth().oauth2(token).contentType("application/json").body(Map.of("keys", List.of("k0", "k1", "zz")))
                .when().post("/api/cache/" + ns + "/bulk-get").then().statusCode(200);

        Map<String, Object> stats = namespaceStats(ns);
        assertThat(((Number) stats.get("hits")).longValue()).isEqualTo(8 * 25 + 2);
        assertThat(((Number) stats.get("misses")).longValue()).isEqualTo(8 * 25 + 1);
        assertThat(((Number) stats.get("keys")).longValue()).isEqualTo(5);
        assertThat(((Number) stats.get("hitRatio")).doubleValue()).isCloseTo(202.0 / 403.0,
                org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void expiredEntriesLeaveTheKeyCount() {
        String ns = namespace("count");
        given().auth().oauth2(writer()).body("x").when().put("/api/cache/" + ns + "/short?ttl=1").then().statusCode(204);
        given().auth().oauth2(writer()).body("x").when().put("/api/cache/" + ns + "/long").then().statusCode(204);
        assertThat(((Number) namespaceStats(ns).get("keys")).longValue()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> ((Number) namespaceStats(ns).get("keys")).longValue() == 1);
    }

    @Test
    void privateNamespacesAreSummedAndStatisticsDoNotVisitEachOne() {
        long usersBefore = userTotals().getLong("keys");
        long bytesBefore = userTotals().getLong("bytes");
        int users = 300;
        for (int i = 0; i < users; i++) {
            UUID user = UUID.randomUUID();
            given().auth().oauth2(Tokens.user(user, "many@example.com")).body("12345").when()
                    .put("/api/cache/user:" + user + "/k").then().statusCode(204);
        }
        JsonPath stats = given().auth().oauth2(admin()).when().get("/api/cache/stats").then().statusCode(200)
                .extract().jsonPath();
        assertThat(stats.getList("namespaces.name", String.class)).noneMatch(name -> name.startsWith("user:")
                && !name.equals("user:*"));
        assertThat(userTotals().getLong("keys")).isEqualTo(usersBefore + users);
        assertThat(userTotals().getLong("bytes")).isEqualTo(bytesBefore + 5L * users);
        assertThat(stats.getLong("namespaceCount")).isGreaterThanOrEqualTo(users);

        // a read of the statistics runs a script for a namespace only when entries of it expired (none here)
        for (int i = 0; i < 5; i++) { // past any first pass over namespaces written before the totals
            given().auth().oauth2(admin()).when().get("/api/cache/stats").then().statusCode(200);
        }
        long scriptsBefore = scriptCalls();
        given().auth().oauth2(admin()).when().get("/api/cache/stats").then().statusCode(200);
        assertThat(scriptCalls() - scriptsBefore).isLessThan(20);
    }

    private static JsonPath userTotals() {
        return given().auth().oauth2(admin()).when().get("/api/cache/stats").then().statusCode(200).extract()
                .jsonPath().setRootPath("namespaces.find { it.name == 'user:*' }");
    }

    /** Lua scripts the cache's Redis has run so far. */
    private long scriptCalls() {
        String info = cacheRedis.execute("INFO", "commandstats").toString();
        long calls = 0;
        for (String line : info.split("\\r?\\n")) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                calls += Long.parseLong(line.replaceAll(".*calls=(\\d+).*", "$1"));
            }
        }
        return calls;
    }

    @Test
    void redisFiguresAndPrometheusMetrics() {
        String ns = namespace("metrics");
        given().auth().oauth2(writer()).body("x").when().put("/api/cache/" + ns + "/k").then().statusCode(204);
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/k").then().statusCode(200);
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/nope").then().statusCode(404);

        JsonPath stats = given().auth().oauth2(admin()).when().get("/api/cache/stats").then().statusCode(200)
                .extract().jsonPath();
        assertThat(stats.getLong("redis.usedMemoryBytes")).isPositive();
        assertThat(stats.getLong("redis.connectedClients")).isPositive();
        assertThat(stats.getLong("redis.uptimeSeconds")).isPositive();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            String metrics = given().when().get("/q/metrics").asString();
            assertThat(metrics).contains("meridian_cache_requests_total{namespace=\"" + ns + "\",outcome=\"hit\"} 1.0")
                    .contains("meridian_cache_requests_total{namespace=\"" + ns + "\",outcome=\"miss\"} 1.0")
                    .contains("meridian_cache_keys{namespace=\"" + ns + "\"} 1.0")
                    .contains("meridian_cache_hit_ratio{namespace=\"" + ns + "\"} 0.5")
                    .containsPattern("meridian_cache_redis_used_memory_bytes [1-9]");
        });
    }

    @Test
    void theGatewaysAnalyticsGetTotalsFromAdminStats() {
        String ns = namespace("totals");
        given().auth().oauth2(writer()).body("x").when().put("/api/cache/" + ns + "/k").then().statusCode(204);
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/k").then().statusCode(200);

        JsonPath totals = given().auth().oauth2(admin()).when().get("/admin/stats").then().statusCode(200)
                .extract().jsonPath();
        assertThat(totals.getLong("hits")).isPositive();
        assertThat(totals.getLong("keys")).isPositive();
        assertThat(totals.getDouble("hitRatio")).isBetween(0.0, 1.0);
        given().auth().oauth2(writer()).when().get("/admin/stats").then().statusCode(403);
    }

    static Map<String, Object> namespaceStats(String ns) {
        List<Map<String, Object>> all = given().auth().oauth2(admin()).when().get("/api/cache/stats")
                .then().statusCode(200).extract().jsonPath().getList("namespaces");
        return all.stream().filter(n -> ns.equals(n.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no stats for " + ns));
    }
}
