package io.meridian.agent;

import static io.meridian.agent.AgentFixtures.agent;
import static io.meridian.agent.AgentFixtures.awaitEnded;
import static io.meridian.agent.AgentFixtures.runAsync;
import static io.meridian.agent.AgentFixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * What one user may hold and start (issue 18): the test profile's quotas read back from the API, filled, and the
 * request past each refused with 409 naming it, while another user is not held back.
 */
@QuarkusTest
class QuotaTest {

    private static JsonPath usage(String token) {
        return given().auth().oauth2(token).when().get("/api/agents/usage").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void agentsPastTheQuotaAre409() {
        var owner = user();
        int limit = usage(owner.token()).getInt("limits.agents");
        List<String> agents = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            agents.add(agent(owner.token(), List.of(), 2, 10));
        }
        given().auth().oauth2(owner.token()).contentType("application/json")
                .body(Map.of("name", "one too many", "instructions", "Help."))
                .when().post("/api/agents")
                .then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("https://meridian.dev/problems/quota-exceeded"))
                .body("quota.name", equalTo("agents")).body("quota.limit", equalTo(limit))
                .body("quota.used", equalTo(limit));
        assertThat(usage(owner.token()).getInt("agents")).isEqualTo(limit);

        given().auth().oauth2(owner.token()).when().delete("/api/agents/" + agents.get(0)).then().statusCode(204);
        agent(owner.token(), List.of(), 2, 10);
    }

    @Test
    void runsPastTheQuotaAre409UntilOneEndsAndOtherUsersAreNotHeldBack() {
        var owner = user();
        String agentId = agent(owner.token(), List.of(), 2, 30);
        int limit = usage(owner.token()).getInt("limits.runsInFlight");
        String batch = UUID.randomUUID().toString().substring(0, 8);
        StandIns.primary.delayMillis.set(8000); // each model call takes a while: the runs stay queued or running
        List<String> runs = new ArrayList<>();
        try {
            for (int i = 0; i < limit; i++) {
                runs.add(runAsync(owner.token(), agentId, "paced " + i + " " + batch));
            }
            given().auth().oauth2(owner.token()).contentType("application/json")
                    .body(Map.of("input", "one too many", "async", true))
                    .when().post("/api/agents/" + agentId + "/runs")
                    .then().statusCode(409).contentType("application/problem+json")
                    .body("quota.name", equalTo("runsInFlight")).body("quota.limit", equalTo(limit));
            // inline runs count too
            given().auth().oauth2(owner.token()).contentType("application/json").body(Map.of("input", "inline"))
                    .when().post("/api/agents/" + agentId + "/runs")
                    .then().statusCode(409).body("quota.name", equalTo("runsInFlight"));

            // another user's quota is their own
            var other = user();
            String theirs = agent(other.token(), List.of(), 2, 30);
            runAsync(other.token(), theirs, "mine " + batch);

            String admin = Tokens.admin(UUID.randomUUID(), "agent-quota-admin@example.com");
            given().auth().oauth2(admin).when().get("/api/agents/admin/usage/" + owner.id()).then().statusCode(200)
                    .body("agents", equalTo(1)).body("runsInFlight", equalTo(limit));
            JsonPath page = given().auth().oauth2(admin).when().get("/api/agents/admin/usage?size=5").then()
                    .statusCode(200).extract().jsonPath();
            assertThat(page.getList("items.userId")).contains(owner.id().toString());
            given().auth().oauth2(owner.token()).when().get("/api/agents/admin/usage").then().statusCode(403);
            given().when().get("/api/agents/usage").then().statusCode(401);
            given().when().get("/api/agents/admin/usage").then().statusCode(401);
            given().auth().oauth2(admin).when().get("/api/agents/admin/usage?size=1000").then().statusCode(400)
                    .contentType("application/problem+json");

            for (String run : runs) {
                given().auth().oauth2(owner.token()).when().post("/api/agents/runs/" + run + "/cancel")
                        .then().statusCode(202);
            }
        } finally {
            StandIns.primary.delayMillis.set(0);
        }
        for (String run : runs) {
            awaitEnded(owner.token(), run);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> usage(owner.token()).getInt("runsInFlight") == 0);
        runAsync(owner.token(), agentId, "now there is room " + batch);
    }
}
