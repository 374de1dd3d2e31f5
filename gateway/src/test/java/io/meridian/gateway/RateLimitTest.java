package io.meridian.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Token buckets in Redis per caller; the tests run with a default bucket of 20 refilled at 10 a second. */
@QuarkusTest
class RateLimitTest {

    @Inject
    RedisDataSource redis;

    @Test
    void aBurstPastTheLimitGets429WithRetryAfterAndRateLimitHeaders() {
        String token = Tokens.user(UUID.randomUUID(), "burst@example.com");
        Response first = given().auth().oauth2(token).when().get("/api/rag/collections");
        first.then().statusCode(200).header("RateLimit-Limit", "20").header("RateLimit-Remaining", "19");

        List<Response> burst = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            burst.add(given().auth().oauth2(token).when().get("/api/rag/collections"));
        }
        List<Response> refused = burst.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(refused).isNotEmpty();
        Response limited = refused.get(0);
        assertThat(limited.contentType()).startsWith("application/problem+json");
        assertThat(limited.header("Retry-After")).isEqualTo("1");
        assertThat(limited.header("RateLimit-Remaining")).isEqualTo("0");
        assertThat(limited.header("RateLimit-Limit")).isEqualTo("20");

        // Another caller has a bucket of their own.
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "other@example.com")).when().get("/api/rag/collections")
                .then().statusCode(200);
    }

    private static String loginBucket() {
        return ConfigProvider.getConfig().getValue("meridian.gateway.rate-limit-key-prefix", String.class)
                + "login:ip:127.0.0.1";
    }

    @Test
    void requestsArrivingTogetherArePipelinedToRedisAndStillCountedOneByOne() throws Exception {
        String token = Tokens.user(UUID.randomUUID(), "together@example.com");
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(20);
        try {
            List<java.util.concurrent.Callable<Integer>> requests = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                requests.add(() -> given().auth().oauth2(token).when().get("/api/rag/collections").statusCode());
            }
            long started = System.nanoTime();
            List<Integer> statuses = new ArrayList<>();
            for (java.util.concurrent.Future<Integer> status : callers.invokeAll(requests)) {
                statuses.add(status.get());
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long allowed = statuses.stream().filter(s -> s == 200).count();
            // the bucket's 20, plus what it refilled at 10 a second while they ran; never more
            assertThat(allowed).isGreaterThanOrEqualTo(20).isLessThanOrEqualTo(20 + (long) Math.ceil(seconds * 10));
            assertThat(statuses).containsOnly(200, 429);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void loginHasAStricterClassKeyedByAddress() {
        redis.key().del(loginBucket());
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            statuses.add(given().contentType("application/json").body("{}").when().post("/api/auth/login").statusCode());
        }
        assertThat(statuses.subList(0, 10)).containsOnly(200);
        assertThat(statuses.get(11)).isEqualTo(429);
        redis.key().del(loginBucket());
    }
}
