package io.meridian.rag;

import static io.meridian.rag.RagFixtures.addText;
import static io.meridian.rag.RagFixtures.awaitIngested;
import static io.meridian.rag.RagFixtures.collection;
import static io.meridian.rag.RagFixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Another embedding provider by configuration: an OpenAI-compatible endpoint with its own vector size. */
@QuarkusTest
@WithTestResource(EmbeddingStandIn.class)
class EmbeddingProviderTest {

    @InjectInfrastructure
    Infrastructure infra;

    @Test
    void chunksAndQueriesAreEmbeddedByTheConfiguredProvider() throws Exception {
        String token = user();
        String collection = collection(token, "provider");
        String ferns = addText(token, collection, "Ferns", "ferns spread spores from the underside of their fronds");
        String rivers = addText(token, collection, "Rivers", "rivers carry silt down to the delta");
        assertThat(awaitIngested(token, ferns)).isEqualTo("INDEXED");
        assertThat(awaitIngested(token, rivers)).isEqualTo("INDEXED");
        int callsAfterIngestion = EmbeddingStandIn.CALLS.get();
        assertThat(callsAfterIngestion).isPositive();
        try (Connection db = infra.database(); PreparedStatement q = db.prepareStatement(
                "select length(embedding) from chunk where document_id = ?::uuid")) {
            q.setString(1, ferns);
            try (ResultSet rows = q.executeQuery()) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(EmbeddingStandIn.DIMENSIONS * 4);
            }
        }

        String found = given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("query", "rivers carry silt down to the delta", "collectionIds", List.of(collection),
                        "mode", "vector"))
                .when().post("/api/rag/search").then().statusCode(200).extract().path("results[0].documentId");
        assertThat(found).isEqualTo(rivers);
        assertThat(EmbeddingStandIn.CALLS.get()).isGreaterThan(callsAfterIngestion);

        // a change of model is a rebuild: the index searched now records this model and its dimension
        String admin = io.meridian.testsupport.Tokens.admin(java.util.UUID.randomUUID(), "admin-provider@example.com");
        io.restassured.path.json.JsonPath indexes = given().auth().oauth2(admin).when().get("/api/rag/admin/indexes")
                .then().statusCode(200).extract().jsonPath();
        assertThat(indexes.getString("find { it.state == 'active' }.embeddingModel")).startsWith("openai/");
        assertThat(indexes.getInt("find { it.state == 'active' }.dimensions")).isEqualTo(EmbeddingStandIn.DIMENSIONS);
    }
}
