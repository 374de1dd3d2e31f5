package io.meridian.agent;

import static io.meridian.agent.AgentFixtures.agent;
import static io.meridian.agent.AgentFixtures.run;
import static io.meridian.agent.AgentFixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The model registry: live status per provider, and routing that falls back when the chosen model is DOWN. */
@QuarkusTest
class ModelsTest {

    @Test
    void modelsAreListedWithTheirLiveStatus() {
        given().auth().oauth2(user().token()).when().get("/api/models")
                .then().statusCode(200)
                .body("find { it.id == 'primary' }.status", equalTo("UP"))
                .body("find { it.id == 'primary' }.kind", equalTo("chat"))
                .body("find { it.id == 'primary' }.provider", equalTo("openai"))
                .body("find { it.id == 'primary' }.isDefault", equalTo(true))
                .body("find { it.id == 'fallback' }.status", equalTo("UP"))
                .body("find { it.id == 'fallback' }.isDefault", equalTo(false))
                // rag-service's in-process embedding model: rag-service is not running here (KnowledgeSearchTest starts it)
                .body("find { it.id == 'bge-small-en-v1.5' }.kind", equalTo("embedding"))
                .body("find { it.id == 'bge-small-en-v1.5' }.status", equalTo("DOWN"));
    }

    @Test
    void aProviderGoingDownShowsAndRunsFallBackToAnotherModel() {
        String token = user().token();
        String smart = agent(token, List.of(), 3, 30, "smart");
        StandIns.primary.down.set(true);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> "DOWN".equals(given().auth().oauth2(token)
                    .when().get("/api/models").then().extract().path("find { it.id == 'primary' }.status")));
            JsonPath run = run(token, smart, "hello while primary is down");
            assertThat(run.getString("status")).isEqualTo("SUCCEEDED");
            assertThat(run.getString("model")).isEqualTo("fallback");
            assertThat(run.getString("output")).isEqualTo("Echo: hello while primary is down");

            StandIns.fallback.down.set(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> "DOWN".equals(given().auth().oauth2(token)
                    .when().get("/api/models").then().extract().path("find { it.id == 'fallback' }.status")));
            given().auth().oauth2(token).contentType("application/json").body(Map.of("input", "anyone?"))
                    .when().post("/api/agents/" + smart + "/runs")
                    .then().statusCode(503).contentType(containsString("problem+json"))
                    .body("detail", containsString("No chat model is reachable"));
        } finally {
            StandIns.primary.down.set(false);
            StandIns.fallback.down.set(false);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(given().auth().oauth2(token)
                .when().get("/api/models").then().extract().path("find { it.id == 'primary' }.status")));
        assertThat(run(token, smart, "primary again").getString("model")).isEqualTo("primary");
    }

    @Test
    void aModelThatStopsAnsweringMidRunIsReplacedByTheFallback() {
        String token = user().token();
        String fast = agent(token, List.of("current_time"), 5, 30, "fast");
        StandIns.primary.down.set(true); // its status is still remembered as UP: the run starts on it and fails over
        try {
            JsonPath run = run(token, fast, "call current_time {}");
            assertThat(run.getString("status")).isEqualTo("SUCCEEDED");
            assertThat(run.getString("model")).isIn("primary", "fallback");
            assertThat(run.getString("output")).startsWith("Tool said: ");
        } finally {
            StandIns.primary.down.set(false);
        }
    }
}
