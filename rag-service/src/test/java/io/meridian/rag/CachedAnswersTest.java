package io.meridian.rag;

import static io.meridian.rag.RagFixtures.addText;
import static io.meridian.rag.RagFixtures.awaitIngested;
import static io.meridian.rag.RagFixtures.collection;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/** Answers and query embeddings are kept in cache-service, in the asker's own namespace, and read back. */
@QuarkusTest
class CachedAnswersTest {

    @Test
    void theSameQuestionTwiceIsAnsweredFromTheCache() {
        UUID user = UUID.randomUUID();
        String token = Tokens.user(user, "cached@example.com");
        String collection = collection(token, "cached");
        assertThat(awaitIngested(token, addText(token, collection, "Moss", "Moss grows on the north side of trees.")))
                .isEqualTo("INDEXED");
        Map<String, Object> ask = Map.of("question", "Where does moss grow?", "collectionIds", List.of(collection));

        String first = given().auth().oauth2(token).contentType("application/json").body(ask)
                .when().post("/api/rag/ask").then().statusCode(200).extract().asString();
        String prefix = "user:" + user + "/rag-answer:" + collection + ":";
        String answerKey = await().atMost(Duration.ofSeconds(10)).until(() -> CacheStandIn.ENTRIES.keySet().stream()
                .filter(k -> k.startsWith(prefix)).findFirst().orElse(null), k -> k != null);
        assertThat(CacheStandIn.ENTRIES.get(answerKey).authorization()).isEqualTo("Bearer " + token);
        assertThat(CacheStandIn.ENTRIES.keySet()).anyMatch(k -> k.startsWith("user:" + user + "/rag-embedding:"));

        String second = given().auth().oauth2(token).contentType("application/json").body(ask)
                .when().post("/api/rag/ask").then().statusCode(200).extract().asString();
        assertThat(second).isEqualTo(first);
        assertThat(CacheStandIn.HITS.get(answerKey)).hasValue(1);

        // another user asking the same of their own collection neither reads nor writes this user's entries
        String other = RagFixtures.user();
        String theirs = collection(other, "theirs");
        given().auth().oauth2(other).contentType("application/json")
                .body(Map.of("question", "Where does moss grow?", "collectionIds", List.of(theirs)))
                .when().post("/api/rag/ask").then().statusCode(200);
        assertThat(CacheStandIn.HITS.get(answerKey)).hasValue(1);
    }
}
