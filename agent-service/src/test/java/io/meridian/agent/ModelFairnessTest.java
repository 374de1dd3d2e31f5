package io.meridian.agent;

import static io.meridian.agent.AgentFixtures.agent;
import static io.meridian.agent.AgentFixtures.awaitEnded;
import static io.meridian.agent.AgentFixtures.get;
import static io.meridian.agent.AgentFixtures.run;
import static io.meridian.agent.AgentFixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;

/**
 * Model work is fair (ADR 0017): with a model that hangs, an inline run answers 202 at the inline wait and goes on; a
 * user's inline runs beyond two at once are 429, a replica's beyond four are 503; everyone else's calls keep answering;
 * a user's tokens for the day run out with 429 and show in their budget.
 */
@QuarkusTest
@WithTestResource(StandIns.class)
class ModelFairnessTest {

    private static ExtractableResponse<Response> startInline(String token, String agentId, String input) {
        return given().auth().oauth2(token).contentType("application/json").body(Map.of("input", input))
                .when().post("/api/agents/" + agentId + "/runs").then().extract();
    }

    private static long runsInFlight(String token) {
        return given().auth().oauth2(token).when().get("/api/agents/usage").then().statusCode(200).extract().jsonPath()
                .getLong("runsInFlight");
    }

    @Test
    void aHangingModelAndOneUsersFloodLeaveEveryoneElseAnswering() throws Exception {
        var flooder = user();
        String floodAgent = agent(flooder.token(), List.of(), 3, 20);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ExtractableResponse<Response>>> flood = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                flood.add(pool.submit(() -> startInline(flooder.token(), floodAgent, "hang")));
            }
            // the user's two places are taken; their other four runs are refused at once, naming the limit
            await().atMost(Duration.ofSeconds(5)).until(() -> flood.stream().filter(Future::isDone).count() == 4);
            for (Future<ExtractableResponse<Response>> refused : flood.stream().filter(Future::isDone).toList()) {
                assertThat(refused.get().statusCode()).isEqualTo(429);
                assertThat(refused.get().contentType()).startsWith("application/problem+json");
                assertThat(refused.get().jsonPath().getString("quota.name")).isEqualTo("concurrentRuns");
                assertThat(refused.get().header("Retry-After")).isNotBlank();
            }
            assertThat(runsInFlight(flooder.token())).isEqualTo(2);

            // a second user takes the replica's last two places; a third is told it is at capacity
            var second = user();
            String secondAgent = agent(second.token(), List.of(), 3, 20);
            List<Future<ExtractableResponse<Response>>> more = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                more.add(pool.submit(() -> startInline(second.token(), secondAgent, "hang")));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> runsInFlight(second.token()) == 2);
            var third = user();
            String thirdAgent = agent(third.token(), List.of(), 3, 30);
            ExtractableResponse<Response> busy = startInline(third.token(), thirdAgent, "hello");
            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(busy.header("Retry-After")).isNotBlank();

            // meanwhile everything else answers: lists, creations, queued runs, the models and the budget
            given().auth().oauth2(third.token()).when().get("/api/agents").then().statusCode(200);
            agent(third.token(), List.of(), 3, 30);
            String queued = AgentFixtures.runAsync(third.token(), thirdAgent, "hello");
            assertThat(awaitEnded(third.token(), queued).getString("status")).isEqualTo("SUCCEEDED");
            given().auth().oauth2(third.token()).when().get("/api/models").then().statusCode(200);
            // ...while every hanging run is still under way
            assertThat(runsInFlight(flooder.token())).isEqualTo(2);
            assertThat(runsInFlight(second.token())).isEqualTo(2);

            // past the inline wait the held runs answer 202, still RUNNING, and end at their own time limit
            List<String> held = new ArrayList<>();
            for (Future<ExtractableResponse<Response>> f : flood) {
                ExtractableResponse<Response> answer = f.get();
                if (answer.statusCode() != 429) {
                    assertThat(answer.statusCode()).isEqualTo(202);
                    assertThat(answer.jsonPath().getString("status")).isEqualTo("RUNNING");
                    assertThat(answer.header("Location")).endsWith("/api/agents/runs/" + answer.jsonPath().getString("id"));
                    held.add(answer.jsonPath().getString("id"));
                }
            }
            assertThat(held).hasSize(2);
            for (String id : held) {
                assertThat(awaitEnded(flooder.token(), id).getString("error")).isEqualTo("Stopped at the time limit of 20 s.");
            }
            for (Future<ExtractableResponse<Response>> f : more) {
                f.get();
            }
            // their places are free again
            assertThat(run(flooder.token(), floodAgent, "hello").getString("status")).isEqualTo("SUCCEEDED");
            assertThat(run(third.token(), thirdAgent, "hello").getString("status")).isEqualTo("SUCCEEDED");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aUsersTokensForTheDayRunOutWith429AndShowInTheirBudget() {
        var spender = user();
        String agentId = agent(spender.token(), List.of(), 3, 30);
        var budget = given().auth().oauth2(spender.token()).when().get("/api/models/budget").then().statusCode(200)
                .extract().jsonPath();
        assertThat(budget.getLong("tokensPerDay")).isEqualTo(50_000);
        assertThat(budget.getLong("usedToday")).isZero();

        // each call is checked before it is made: the second starts under the budget and ends past it
        String first = run(spender.token(), agentId, "spend 30000").getString("id");
        assertThat(run(spender.token(), agentId, "spend 30000").getString("status")).isEqualTo("SUCCEEDED");
        assertThat(get(spender.token(), first).getInt("usage.inputTokens")).isEqualTo(30_000);
        assertThat(given().auth().oauth2(spender.token()).when().get("/api/models/budget").then().extract().jsonPath()
                .getLong("usedToday")).isEqualTo(60_020);

        for (Boolean async : List.of(false, true)) {
            ExtractableResponse<Response> spent = given().auth().oauth2(spender.token()).contentType("application/json")
                    .body(Map.of("input", "hello", "async", async)).when().post("/api/agents/" + agentId + "/runs")
                    .then().extract();
            assertThat(spent.statusCode()).isEqualTo(429);
            assertThat(spent.contentType()).startsWith("application/problem+json");
            assertThat(spent.jsonPath().getString("quota.name")).isEqualTo("tokensPerDay");
            assertThat(spent.jsonPath().getLong("quota.limit")).isEqualTo(50_000);
            assertThat(Long.parseLong(spent.header("Retry-After"))).isBetween(1L, 86_400L);
        }
        // another user's budget is their own
        var other = user();
        assertThat(run(other.token(), agent(other.token(), List.of(), 3, 30), "hello").getString("status"))
                .isEqualTo("SUCCEEDED");
    }
}
