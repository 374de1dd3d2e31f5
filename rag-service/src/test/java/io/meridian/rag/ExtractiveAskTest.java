package io.meridian.rag;

import static io.meridian.rag.RagFixtures.addText;
import static io.meridian.rag.RagFixtures.awaitIngested;
import static io.meridian.rag.RagFixtures.collection;
import static io.meridian.rag.RagFixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** With no chat model configured (the default), answers are the best passages, cited, marked extractive. */
@QuarkusTest
class ExtractiveAskTest {

    @Test
    void withoutAModelTheAnswerIsExtractiveAndCited() {
        String token = user();
        String collection = collection(token, "extractive");
        String kiwi = addText(token, collection, "Kiwi", "The kiwi is a flightless bird that lays an enormous egg.");
        String oak = addText(token, collection, "Oak", "Oak trees produce acorns in autumn.");
        assertThat(awaitIngested(token, kiwi)).isEqualTo("INDEXED");
        assertThat(awaitIngested(token, oak)).isEqualTo("INDEXED");

        JsonPath answer = given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("question", "Which bird cannot fly?", "collectionIds", List.of(collection)))
                .when().post("/api/rag/ask").then().statusCode(200).extract().jsonPath();
        assertThat(answer.getString("mode")).isEqualTo("extractive");
        assertThat(answer.getString("model")).isNull();
        assertThat(answer.getString("answer")).contains("[1]").contains("kiwi");
        assertThat(answer.getString("citations[0].documentId")).isEqualTo(kiwi);

        String stream = given().auth().oauth2(token).contentType("application/json").accept("text/event-stream")
                .body(Map.of("question", "Which bird cannot fly?", "collectionIds", List.of(collection)))
                .when().post("/api/rag/ask").then().statusCode(200).extract().asString();
        List<String[]> events = AskTest.events(stream);
        assertThat(events.get(events.size() - 1)[0]).isEqualTo("answer");
        assertThat(events.get(events.size() - 1)[1]).contains("\"mode\":\"extractive\"").contains(kiwi);
        assertThat(events.stream().filter(e -> e[0].equals("piece"))).isNotEmpty();
    }
}
