package io.meridian.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Documents;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Knowledge and agents as a user meets them through the gateway: documents of three kinds indexed, searched in each
 * mode, asked about (whole and streamed) with citations; an agent with knowledge_search and calculator run inline and
 * queued, its steps read back, and the run-completed mail received.
 */
class KnowledgeAndAgentJourneyTest {

    private static String token;
    private static String email;
    private static String collection;

    @BeforeAll
    static void aUserWithACollection() throws IOException {
        RestAssured.baseURI = Suite.get().gateway();
        email = "kai-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String password = "Kai reads papers " + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(Map.of("email", email, "password", password, "displayName", "Kai"))
                .when().post("/api/auth/register").then().statusCode(201);
        Mails.verify(email); // run notices go only to an address its owner proved
        token = AccountJourneyTest.login(email, password).getString("accessToken");
        collection = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("name", "Seabirds", "description", "Field notes")).when().post("/api/rag/collections")
                .then().statusCode(201).extract().path("id");

        List<String> documents = new ArrayList<>();
        documents.add(given().auth().oauth2(token).multiPart("file", "gannets.pdf",
                Documents.pdf("Gannets dive into the sea from thirty metres.", "They fold their wings just before impact."),
                "application/pdf").multiPart("title", "Gannet diving")
                .when().post("/api/rag/collections/" + collection + "/documents").then().statusCode(202).extract().path("id"));
        documents.add(given().auth().oauth2(token).multiPart("file", "puffins.md",
                "# Puffins\n\nPuffins carry up to sixty small fish crosswise in their beaks.\n".getBytes(), "text/markdown")
                .when().post("/api/rag/collections/" + collection + "/documents").then().statusCode(202).extract().path("id"));
        documents.addAll(given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("documents", List.of(
                        Map.of("title", "Albatross flight", "text", "Albatrosses glide for hours over the southern ocean without flapping.",
                                "externalId", "alb-1"),
                        Map.of("title", "Tern migration", "text", "Arctic terns fly from pole to pole every year.",
                                "externalId", "tern-1"))))
                .when().post("/api/rag/collections/" + collection + "/documents/batch").then().statusCode(202)
                .extract().<List<String>>path("id"));
        for (String document : documents) {
            assertThat(Waits.indexed(token, document)).as("document %s", document).isEqualTo("INDEXED");
        }
    }

    @Test
    void everySearchModeFindsTheRightDocument() {
        for (String mode : List.of("keyword", "vector", "hybrid")) {
            given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(Map.of("query", "how do gannets dive", "collectionIds", List.of(collection), "mode", mode, "topK", 3))
                    .when().post("/api/rag/search")
                    .then().statusCode(200).body("results[0].title", equalTo("Gannet diving"));
        }
    }

    @Test
    void anAnswerCitesItsSourcesWholeAndStreamed() {
        JsonPath answer = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("question", "How many fish can a puffin carry?", "collectionIds", List.of(collection)))
                .when().post("/api/rag/ask").then().statusCode(200).extract().jsonPath();
        assertThat(answer.getString("mode")).isEqualTo("generative");
        assertThat(answer.getString("answer")).contains("[1]");
        assertThat(answer.getList("citations.title")).contains("puffins.md"); // an upload without a title is named after its file

        String stream = given().auth().oauth2(token).contentType(ContentType.JSON).accept("text/event-stream")
                .body(Map.of("question", "How many fish can a puffin carry?", "collectionIds", List.of(collection)))
                .when().post("/api/rag/ask").then().statusCode(200).extract().asString();
        String events = stream.replace("event: ", "event:");
        assertThat(events).contains("event:piece").contains("event:answer");
        assertThat(events.lastIndexOf("event:answer")).isGreaterThan(events.lastIndexOf("event:piece"));
        assertThat(events.substring(events.lastIndexOf("event:answer"))).contains("Puffins");
    }

    @Test
    void anAgentSearchesAndCalculatesInlineAndQueuedAndItsOwnerIsMailed() {
        String agent = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("name", "Field assistant", "instructions", "Answer from the user's notes.",
                        "tools", List.of("knowledge_search", "calculator"), "maxSteps", 4))
                .when().post("/api/agents").then().statusCode(201).extract().path("id");

        JsonPath inline = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("input", "search: albatross gliding"))
                .when().post("/api/agents/" + agent + "/runs").then().statusCode(200).extract().jsonPath();
        assertThat(inline.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(inline.getList("steps.kind")).containsExactly("model", "tool", "model");
        assertThat(inline.getString("steps[1].tool")).isEqualTo("knowledge_search");
        assertThat(inline.getString("output")).contains("Albatross");

        String queued = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("input", "calc: 60 * 2 + 1", "async", true, "notify", true))
                .when().post("/api/agents/" + agent + "/runs").then().statusCode(202).extract().path("id");
        JsonPath done = Waits.runEnded(token, queued);
        assertThat(done.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(done.getString("output")).isEqualTo("Result: 121");
        assertThat(done.getString("steps[1].tool")).isEqualTo("calculator");
        assertThat(Mails.awaitMessages(email, 3).stream().map(Mails::subject))
                .anyMatch(subject -> subject.contains("Your agent run has finished: SUCCEEDED"));

        // GraphQL reads the same: the collection, a search, an answer, the agent and the queued run with its steps.
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("query", """
                { collections { id name documentCount }
                  search(query: "puffins fish", collectionIds: ["%s"], mode: "hybrid") { title }
                  ask(question: "How many fish can a puffin carry?", collectionIds: ["%s"]) { mode citations { title } }
                  agents { id name tools }
                  run(id: "%s") { status output steps { kind tool } } }""".formatted(collection, collection, queued)))
                .when().post("/graphql").then().statusCode(200)
                .body("errors", equalTo(null))
                .body("data.collections[0].documentCount", equalTo(4))
                .body("data.search[0].title", equalTo("puffins.md"))
                .body("data.ask.mode", equalTo("generative"))
                .body("data.agents[0].name", equalTo("Field assistant"))
                .body("data.run.status", equalTo("SUCCEEDED"))
                .body("data.run.steps[1].tool", equalTo("calculator"));
    }
}
