package io.meridian.agent;

import static io.meridian.agent.AgentFixtures.agent;
import static io.meridian.agent.AgentFixtures.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With no chat model configured, agents can still be managed, and runs answer 503 saying what to set. */
@QuarkusTest
@TestProfile(NoModelTest.WithoutModels.class)
class NoModelTest {

    public static class WithoutModels implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("meridian.agent.models.primary.provider", "none",
                    "meridian.agent.models.fallback.provider", "none");
        }
    }

    @Test
    void runsAnswer503SayingWhatToConfigure() {
        var owner = user();
        String agentId = agent(owner.token(), List.of("calculator"), 3, 30);
        for (boolean async : List.of(false, true)) {
            given().auth().oauth2(owner.token()).contentType("application/json").body(Map.of("input", "hi", "async", async))
                    .when().post("/api/agents/" + agentId + "/runs")
                    .then().statusCode(503).contentType(containsString("problem+json"))
                    .body("detail", containsString("AGENT_CHAT_PROVIDER"));
        }
        given().auth().oauth2(owner.token()).when().get("/api/models")
                .then().statusCode(200).body("find { it.id == 'primary' }.status", equalTo("UNCONFIGURED"));
    }
}
