package io.meridian.agent;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.meridian.testsupport.Tokens;
import io.restassured.path.json.JsonPath;

/** Users, agents, runs and waiting for a run to end. */
final class AgentFixtures {

    private AgentFixtures() {
    }

    record User(UUID id, String email, String token) {
    }

    static User user() {
        UUID id = UUID.randomUUID();
        String email = "agent-user-" + id.toString().substring(0, 8) + "@example.com";
        return new User(id, email, Tokens.user(id, email));
    }

    static String agent(String token, List<String> tools, int maxSteps, int timeLimitSeconds) {
        return agent(token, tools, maxSteps, timeLimitSeconds, null);
    }

    static String agent(String token, List<String> tools, int maxSteps, int timeLimitSeconds, String model) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", "Helper");
        body.put("instructions", "Help the user with their question.");
        body.put("tools", tools);
        body.put("maxSteps", maxSteps);
        body.put("timeLimitSeconds", timeLimitSeconds);
        if (model != null) {
            body.put("model", model);
        }
        return given().auth().oauth2(token).contentType("application/json").body(body)
                .when().post("/api/agents").then().statusCode(201).extract().path("id");
    }

    /** Runs the agent inline and answers the finished run. */
    static JsonPath run(String token, String agentId, String input) {
        return given().auth().oauth2(token).contentType("application/json").body(Map.of("input", input))
                .when().post("/api/agents/" + agentId + "/runs").then().statusCode(200).extract().jsonPath();
    }

    /** Queues a run of the agent and answers its id. */
    static String runAsync(String token, String agentId, String input) {
        return given().auth().oauth2(token).contentType("application/json").body(Map.of("input", input, "async", true))
                .when().post("/api/agents/" + agentId + "/runs").then().statusCode(202).extract().path("id");
    }

    static JsonPath get(String token, String runId) {
        return given().auth().oauth2(token).when().get("/api/agents/runs/" + runId).then().statusCode(200)
                .extract().jsonPath();
    }

    /** Waits until the run has ended and answers it. */
    static JsonPath awaitEnded(String token, String runId) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> get(token, runId), run -> List.of("SUCCEEDED", "FAILED", "CANCELLED")
                        .contains(run.getString("status")));
    }
}
