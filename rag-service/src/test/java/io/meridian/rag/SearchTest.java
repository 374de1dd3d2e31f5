package io.meridian.rag;

import static io.meridian.rag.RagFixtures.addText;
import static io.meridian.rag.RagFixtures.awaitIngested;
import static io.meridian.rag.RagFixtures.collection;
import static io.meridian.rag.RagFixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Each mode finds the document a targeted query is about, only in the caller's collections. */
@QuarkusTest
class SearchTest {

    private String token;
    private String collection;
    private String photosynthesis;
    private String volcano;
    private String chess;

    @BeforeEach
    void corpus() {
        token = user();
        collection = collection(token, "search");
        photosynthesis = addText(token, collection, "Photosynthesis",
                "Plants convert sunlight, water and carbon dioxide into glucose and oxygen in their chloroplasts.");
        volcano = addText(token, collection, "Volcanoes",
                "Magma rises through the crust and erupts as lava, ash and volcanic gases from a vent.");
        chess = addText(token, collection, "Chess openings",
                "The Sicilian Defence answers 1.e4 with c5, fighting for the centre from the flank.");
        for (String document : List.of(photosynthesis, volcano, chess)) {
            assertThat(awaitIngested(token, document)).isEqualTo("INDEXED");
        }
    }

    @Test
    void keywordSearchFindsTheWords() {
        JsonPath found = search("chloroplasts glucose", "keyword");
        assertThat(found.getString("results[0].documentId")).isEqualTo(photosynthesis);
        assertThat(found.getString("results[0].title")).isEqualTo("Photosynthesis");
        assertThat(found.getString("results[0].externalId")).isEqualTo("ext-Photosynthesis");
        assertThat(found.getString("results[0].text")).contains("chloroplasts");
        assertThat(found.getList("results")).hasSize(1); // no other document has these words
    }

    @Test
    void vectorSearchFindsTheMeaningWithoutTheWords() {
        JsonPath found = search("how do green leaves make food from light", "vector");
        assertThat(found.getString("results[0].documentId")).isEqualTo(photosynthesis);
        assertThat(found.getDouble("results[0].score")).isGreaterThan(found.getDouble("results[1].score"));
    }

    @Test
    void hybridSearchFusesBoth() {
        assertThat(search("eruption of molten rock", "hybrid").getString("results[0].documentId")).isEqualTo(volcano);
        assertThat(search("Sicilian Defence", "hybrid").getString("results[0].documentId")).isEqualTo(chess);
        // hybrid is the default
        assertThat(search("Sicilian Defence", null).getString("mode")).isEqualTo("hybrid");
    }

    @Test
    void aDeletedDocumentIsNoLongerFound() {
        assertThat(search("Sicilian Defence c5", "hybrid").getString("results[0].documentId")).isEqualTo(chess);
        given().auth().oauth2(token).when().delete("/api/rag/documents/" + chess).then().statusCode(204);
        for (String mode : List.of("keyword", "vector", "hybrid")) {
            assertThat(search("Sicilian Defence c5", mode).getList("results.documentId")).doesNotContain(chess);
        }
    }

    @Test
    void adminsSeeQueryLatencyAndTopQueries() {
        search("Sicilian Defence", "hybrid");
        search("Sicilian  defence", "keyword");
        JsonPath stats = given().auth().oauth2(io.meridian.testsupport.Tokens.admin(java.util.UUID.randomUUID(),
                "admin@example.com")).when().get("/admin/stats").then().statusCode(200).extract().jsonPath();
        assertThat(stats.getLong("queryLatency.hybrid.count")).isPositive();
        assertThat(stats.getDouble("queryLatency.keyword.p95Ms")).isPositive();
        assertThat(stats.getList("topQueries.query")).contains("sicilian defence");
        given().auth().oauth2(token).when().get("/admin/stats").then().statusCode(403);
    }

    @Test
    void badSearchesAre400() {
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("query", "x", "collectionIds", List.of(collection), "mode", "psychic"))
                .when().post("/api/rag/search").then().statusCode(400).body("errors[0].field", equalTo("mode"));
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("query", "", "collectionIds", List.of(collection)))
                .when().post("/api/rag/search").then().statusCode(400);
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("query", "x", "collectionIds", List.of()))
                .when().post("/api/rag/search").then().statusCode(400);
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("query", "x", "collectionIds", List.of(collection), "topK", 500))
                .when().post("/api/rag/search").then().statusCode(400);
    }

    private JsonPath search(String query, String mode) {
        Map<String, Object> body = mode == null ? Map.of("query", query, "collectionIds", List.of(collection))
                : Map.of("query", query, "collectionIds", List.of(collection), "mode", mode);
        return given().auth().oauth2(token).contentType("application/json").body(body)
                .when().post("/api/rag/search").then().statusCode(200).extract().jsonPath();
    }
}
