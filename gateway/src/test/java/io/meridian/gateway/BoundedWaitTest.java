package io.meridian.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Waiting at the edge is bounded. A service answering in 3 s behind a route of 4 connections and 4 waiting places
 * (timeout 1 s): of 20 callers at once, those beyond the queue get 503 problem+json at once, the rest 504, and nothing
 * waits unbounded. GraphQL's calls have a pool of their own (4 connections in the tests): slow asks filling it do not
 * touch /health, which keeps its own pool and reports rag-service UP.
 */
@QuarkusTest
class BoundedWaitTest {

    private record Outcome(int status, long millis, String contentType) {
    }

    @Test
    void callersBeyondTheConnectionQueueAreRefusedAtOnce() throws Exception {
        String token = Tokens.user(UUID.randomUUID(), "queue@example.com");
        ExecutorService callers = Executors.newFixedThreadPool(20);
        try {
            List<Callable<Outcome>> requests = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                requests.add(() -> {
                    long started = System.nanoTime();
                    Response answer = given().auth().oauth2(token).when().get("/api/slowpoke/" + n);
                    return new Outcome(answer.statusCode(), (System.nanoTime() - started) / 1_000_000, answer.contentType());
                });
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> outcome : callers.invokeAll(requests)) {
                outcomes.add(outcome.get());
            }
            assertThat(outcomes).allMatch(o -> o.status() == 503 || o.status() == 504)
                    .allMatch(o -> o.contentType().startsWith("application/problem+json"));
            List<Outcome> refused = outcomes.stream().filter(o -> o.status() == 503).toList();
            // 4 in flight and a bounded queue: the others are turned away before the first timeout would end them.
            assertThat(refused).hasSizeGreaterThanOrEqualTo(4);
            assertThat(refused).allMatch(o -> o.millis() < Duration.ofSeconds(1).toMillis());
            assertThat(outcomes).allMatch(o -> o.millis() < Duration.ofSeconds(5).toMillis());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void slowGraphQlCallsDoNotTurnHealthRed() throws Exception {
        String token = Tokens.user(UUID.randomUUID(), "asker@example.com");
        ExecutorService callers = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> asks = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                asks.add(callers.submit(() -> given().auth().oauth2(token).contentType("application/json")
                        .body(Map.of("query", "{ ask(question: \"slow one\", collectionIds: [\"c1\"]) { answer } }"))
                        .when().post("/graphql").statusCode()));
            }
            Thread.sleep(300); // the asks now hold GraphQL's connections to rag-service and fill its queue
            for (int i = 0; i < 3; i++) {
                long started = System.nanoTime();
                Response health = given().when().get("/health");
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertThat(health.<String>path("services.rag.status")).isEqualTo("UP");
                assertThat(millis).isLessThan(1_000);
                given().auth().oauth2(token).when().get("/api/rag/collections").then().statusCode(200);
            }
            for (Future<Integer> ask : asks) {
                assertThat(ask.get()).isEqualTo(200); // GraphQL answers, with an error for the asks that found no room
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
