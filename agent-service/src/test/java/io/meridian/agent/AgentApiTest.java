package io.meridian.agent;

import static io.meridian.agent.AgentFixtures.agent;
import static io.meridian.agent.AgentFixtures.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** Agents: created, listed, read, replaced and deleted by their owner only; every field validated. */
@QuarkusTest
class AgentApiTest {

    @Test
    void toolsAreListedWithTheirSchemasAndRequirements() {
        given().auth().oauth2(user().token()).when().get("/api/agents/tools")
                .then().statusCode(200)
                .body("name", hasItems("calculator", "current_time", "knowledge_search", "send_email"))
                .body("find { it.name == 'calculator' }.parameters.type", equalTo("object"))
                .body("find { it.name == 'calculator' }.parameters.required", hasItems("expression"))
                .body("find { it.name == 'knowledge_search' }.requires", equalTo("role:user|scope:rag:read"))
                .body("find { it.name == 'send_email' }.parameters.properties.subject.type", equalTo("string"));
    }

    @Test
    void anAgentIsCreatedReadListedReplacedAndDeletedByItsOwner() {
        var owner = user();
        String id = agent(owner.token(), List.of("calculator"), 4, 30);
        given().auth().oauth2(owner.token()).when().get("/api/agents/" + id)
                .then().statusCode(200).body("name", equalTo("Helper")).body("tools", equalTo(List.of("calculator")))
                .body("model", equalTo("default")).body("maxSteps", equalTo(4)).body("timeLimitSeconds", equalTo(30));
        given().auth().oauth2(owner.token()).when().get("/api/agents")
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].id", equalTo(id));
        given().auth().oauth2(owner.token()).contentType("application/json")
                .body(Map.of("name", "Researcher", "instructions", "Search first.", "tools",
                        List.of("knowledge_search", "calculator"), "model", "smart"))
                .when().put("/api/agents/" + id)
                .then().statusCode(200).body("name", equalTo("Researcher")).body("model", equalTo("smart"))
                .body("maxSteps", equalTo(8)).body("timeLimitSeconds", equalTo(120));
        given().auth().oauth2(owner.token()).when().delete("/api/agents/" + id).then().statusCode(204);
        given().auth().oauth2(owner.token()).when().get("/api/agents/" + id).then().statusCode(404);
    }

    @Test
    void anotherUsersAgentIsNotFound() {
        String id = agent(user().token(), List.of(), 2, 10);
        String stranger = user().token();
        given().auth().oauth2(stranger).when().get("/api/agents/" + id).then().statusCode(404);
        given().auth().oauth2(stranger).when().delete("/api/agents/" + id).then().statusCode(404);
        given().auth().oauth2(stranger).contentType("application/json").body(Map.of("input", "hi"))
                .when().post("/api/agents/" + id + "/runs").then().statusCode(404);
    }

    @Test
    void everyFieldIsValidated() {
        String token = user().token();
        Map<String, Object> good = Map.of("name", "A", "instructions", "Do it.");
        invalid(token, Map.of("instructions", "Do it."), "name");
        invalid(token, Map.of("name", "A"), "instructions");
        invalid(token, with(good, "name", "x".repeat(101)), "name");
        invalid(token, with(good, "tools", List.of("shell")), "tools[0]");
        invalid(token, with(good, "model", "gpt-99"), "model");
        invalid(token, with(good, "maxSteps", 0), "maxSteps");
        invalid(token, with(good, "maxSteps", 51), "maxSteps");
        invalid(token, with(good, "timeLimitSeconds", 901), "timeLimitSeconds");
        given().auth().oauth2(token).contentType("application/json").body("{\"name\": ")
                .when().post("/api/agents").then().statusCode(400).contentType(containsString("problem+json"));
        given().auth().oauth2(token).contentType("application/json").body("{\"name\": \"A\", \"instructions\": \"x\", \"maxSteps\": \"many\"}")
                .when().post("/api/agents").then().statusCode(400).contentType(containsString("problem+json"));
        given().auth().oauth2(token).when().get("/api/agents").then().body("total", equalTo(0));
    }

    @Test
    void withoutATokenNothingIsServed() {
        given().when().get("/api/agents").then().statusCode(401);
        given().when().get("/api/models").then().statusCode(401);
        given().when().get("/api/agents/tools").then().statusCode(401);
    }

    private static void invalid(String token, Map<String, Object> body, String field) {
        given().auth().oauth2(token).contentType("application/json").body(body)
                .when().post("/api/agents")
                .then().statusCode(400).contentType(containsString("problem+json"))
                .body("errors.field", hasItems(field));
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        var copy = new java.util.HashMap<>(base);
        copy.put(key, value);
        return copy;
    }
}
