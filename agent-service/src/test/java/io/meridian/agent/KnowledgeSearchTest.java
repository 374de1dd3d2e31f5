package io.meridian.agent;

import static io.meridian.agent.AgentFixtures.agent;
import static io.meridian.agent.AgentFixtures.run;
import static io.meridian.agent.AgentFixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * knowledge_search against the real rag-service: called with the run's user's own token, it finds that user's
 * documents and never another's, even when the model names another user's collection; a long result reaches the model
 * cut to the configured size.
 */
@QuarkusTest
class KnowledgeSearchTest {

    private static RealRagService rag;

    @BeforeAll
    static void startRagService() {
        rag = RealRagService.start();
    }

    @AfterAll
    static void stopRagService() {
        if (rag != null) {
            rag.close();
        }
    }

    @Test
    void knowledgeSearchFindsTheCallersDocumentsAndNotAnotherUsers() {
        var reader = user();
        var other = user();
        indexed(reader.token(), "Gannets", "Gannets dive into the sea at great speed, folding their wings at the last moment.");
        String othersCollection = indexed(other.token(), "Diary", "My secret notes: gannets nest on the cliffs of Bass Rock.");
        String agentId = agent(reader.token(), List.of("knowledge_search"), 4, 60);

        JsonPath run = run(reader.token(), agentId, "call knowledge_search {\"query\": \"gannets\"}");
        assertThat(run.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(run.getString("steps[1].outcome")).isEqualTo("ok");
        assertThat(run.getString("steps[1].result")).contains("Gannets dive into the sea").doesNotContain("secret");
        assertThat(run.getString("output")).contains("Gannets dive into the sea");

        // Even told to, the tool cannot read another user's collection: rag-service refuses the reader's token for it.
        JsonPath prying = run(reader.token(), agentId,
                "call knowledge_search {\"query\": \"gannets\", \"collectionIds\": [\"" + othersCollection + "\"]}");
        assertThat(prying.getString("steps[1].outcome")).isEqualTo("error");
        assertThat(prying.getString("steps[1].result")).doesNotContain("secret");
    }

    @Test
    void aUserWithoutCollectionsIsToldThereIsNothingToSearch() {
        var reader = user();
        String agentId = agent(reader.token(), List.of("knowledge_search"), 4, 30);
        JsonPath run = run(reader.token(), agentId, "call knowledge_search {\"query\": \"anything\"}");
        assertThat(run.getString("steps[1].result")).isEqualTo("The user has no collections: nothing to search.");
    }

    @Test
    void aLongToolResultReachesTheModelCutToTheLimit() {
        var reader = user();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 80; i++) {
            text.append("Albatrosses glide over the southern ocean for hours without a single wing beat, paragraph ")
                    .append(i).append(".\n\n");
        }
        indexed(reader.token(), "Albatross", text.toString());
        String agentId = agent(reader.token(), List.of("knowledge_search"), 4, 60);
        String marker = "albatross glide " + java.util.UUID.randomUUID();
        JsonPath run = run(reader.token(), agentId,
                "call knowledge_search {\"query\": \"" + marker + "\", \"topK\": 10}");
        assertThat(run.getString("steps[1].result").length()).as(run.prettify()).isGreaterThan(4_000);
        List<JsonNode> requests = StandIns.primary.requestsFor(marker);
        JsonNode toolMessage = requests.get(requests.size() - 1).path("messages").findParents("tool_call_id").get(0);
        assertThat(toolMessage.path("content").asText()).hasSizeLessThan(4_100)
                .endsWith("[the result was cut at 4000 characters]");
    }

    @Test
    void theEmbeddingModelIsUpWhileRagServiceIs() {
        await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(given().auth().oauth2(user().token())
                .when().get("/api/models").then().extract().path("find { it.id == 'bge-small-en-v1.5' }.status")));
    }

    /** A collection of the user's with one document, once rag-service has indexed it; answers the collection id. */
    private static String indexed(String token, String title, String text) {
        String collection = given().baseUri(rag.url()).auth().oauth2(token).contentType("application/json")
                .body(Map.of("name", title + " collection")).when().post("/api/rag/collections")
                .then().statusCode(201).extract().path("id");
        String document = given().baseUri(rag.url()).auth().oauth2(token).contentType("application/json")
                .body(Map.of("title", title, "text", text)).when().post("/api/rag/collections/" + collection + "/documents")
                .then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> given().baseUri(rag.url())
                .auth().oauth2(token).when().get("/api/rag/documents/" + document).then().extract().<String>path("status"),
                "INDEXED"::equals);
        return collection;
    }
}
