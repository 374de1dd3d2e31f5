package io.meridian.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** GraphQL's agents, runs, tools and models, and the run mutations, resolved through agent-service with the caller's token. */
@QuarkusTest
@TestProfile(GraphQlAgentsTest.WithAgentService.class)
class GraphQlAgentsTest {

    public static class WithAgentService implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(AgentServiceStandIn.class));
        }
    }

    @Test
    void agentsRunsToolsAndModelsAreReadThroughAgentServiceWithTheCallersToken() {
        UUID userId = UUID.randomUUID();
        given().auth().oauth2(Tokens.user(userId, "runner@example.com")).contentType("application/json")
                .body(Map.of("query", """
                        { agents { id name tools model }
                          agent(id: "a1") { name maxSteps }
                          run(id: "r1") { status output usage { inputTokens } steps { index kind tool arguments result } }
                          tools { name parameters requires }
                          models { id status isDefault } }"""))
                .when().post("/graphql")
                .then().statusCode(200)
                .body("errors", equalTo(null))
                .body("data.agents[0].name", equalTo("Agent of " + userId))
                .body("data.agent.maxSteps", equalTo(4))
                .body("data.run.status", equalTo("SUCCEEDED"))
                .body("data.run.usage.inputTokens", equalTo(100))
                .body("data.run.steps[1].tool", equalTo("calculator"))
                .body("data.run.steps[1].arguments", equalTo("{\"expression\":\"6 * 7\"}"))
                .body("data.tools[0].parameters", equalTo("{\"type\":\"object\"}"))
                .body("data.models[0].status", equalTo("UP"));
    }

    @Test
    void runsAreStartedAndCancelledByMutation() {
        String token = Tokens.user(UUID.randomUUID(), "runner@example.com");
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("query", "mutation { startRun(agentId: \"a1\", input: \"6 * 7\") { status output } }"))
                .when().post("/graphql")
                .then().statusCode(200).body("errors", equalTo(null))
                .body("data.startRun.status", equalTo("SUCCEEDED")).body("data.startRun.output", equalTo("42"));
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("query", "mutation { startRun(agentId: \"a1\", input: \"6 * 7\", async: true) { status } }"))
                .when().post("/graphql")
                .then().statusCode(200).body("data.startRun.status", equalTo("QUEUED"));
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("query", "mutation { cancelRun(runId: \"r1\") { status } }"))
                .when().post("/graphql")
                .then().statusCode(200).body("data.cancelRun.status", equalTo("CANCELLED"));
    }

    @Test
    void anAgentServiceProblemIsAGraphQlErrorWithItsDetail() {
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "runner@example.com")).contentType("application/json")
                .body(Map.of("query", "{ agent(id: \"missing\") { name } }"))
                .when().post("/graphql")
                .then().statusCode(200).body("errors[0].message", containsString("No agent missing."));
    }
}
