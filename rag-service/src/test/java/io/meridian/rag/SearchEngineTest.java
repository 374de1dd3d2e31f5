package io.meridian.rag;

import static io.meridian.rag.RagFixtures.addText;
import static io.meridian.rag.RagFixtures.awaitIngested;
import static io.meridian.rag.RagFixtures.collection;
import static io.meridian.rag.RagFixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.meridian.platform.events.Topics;
import io.meridian.rag.client.ChunkIndex;
import io.meridian.testsupport.InjectInfrastructure;
import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Retrieval in the real OpenSearch node: every query stays inside the caller's collections, deletions leave the
 * engine, an engine outage leaves documents PENDING until it is back (then INDEXED, each chunk once), and a rebuild
 * switches searches to a new index without a failed search.
 */
@QuarkusTest
class SearchEngineTest {

    @InjectInfrastructure
    Infrastructure infra;

    @Inject
    ChunkIndex index;

    @Test
    void aUserNeverReceivesAnotherUsersChunks() {
        String alice = user();
        String bob = user();
        String alicesCollection = collection(alice, "alice's");
        String bobsCollection = collection(bob, "bob's");
        String secret = addText(alice, alicesCollection, "Tamarind ledger",
                "The tamarind ledger records the quarterly pomegranate shipments to Valparaiso.");
        String own = addText(bob, bobsCollection, "Weather",
                "Light rain over the harbour in the morning, clearing in the afternoon.");
        assertThat(awaitIngested(alice, secret)).isEqualTo("INDEXED");
        assertThat(awaitIngested(bob, own)).isEqualTo("INDEXED");

        for (String mode : List.of("keyword", "vector", "hybrid")) {
            // the exact words of alice's passage, asked by bob in his own collection
            List<String> found = search(bob, "tamarind ledger pomegranate shipments Valparaiso", mode, bobsCollection)
                    .getList("results.documentId");
            assertThat(found).doesNotContain(secret);
            assertThat(search(alice, "tamarind ledger pomegranate shipments Valparaiso", mode, alicesCollection)
                    .getString("results[0].documentId")).isEqualTo(secret);
        }
        // and naming her collection is as if it did not exist
        given().auth().oauth2(bob).contentType("application/json")
                .body(Map.of("query", "tamarind", "collectionIds", List.of(alicesCollection)))
                .when().post("/api/rag/search").then().statusCode(404);
        // inside the engine, her chunks carry her id, and only hers
        assertThat(engineCount("document_id", secret)).isEqualTo(chunkCount(secret));
        assertThat(engineCountOwned(secret, ownerOf(alice))).isEqualTo(chunkCount(secret));
    }

    @Test
    void theKeywordFilterFindsTheSameChunksInTheQueryAsWhileCollecting() {
        String alice = user();
        String bob = user();
        String hers = collection(alice, "alice's orchard");
        String his = collection(bob, "bob's orchard");
        List<String> alicesDocuments = List.of(
                addText(alice, hers, "Orchard", "Quince and medlar trees fruit late in the orchard by the river."),
                addText(alice, hers, "Medlar", "Medlar fruit is eaten bletted, soft and brown, after the first frost."));
        List<String> bobsDocuments = List.of(
                addText(bob, his, "Quince", "Quince paste and medlar jelly are made in late autumn from orchard fruit."));
        for (String document : alicesDocuments) {
            assertThat(awaitIngested(alice, document)).isEqualTo("INDEXED");
        }
        assertThat(awaitIngested(bob, bobsDocuments.get(0))).isEqualTo("INDEXED");

        record Caller(String token, String collection, List<String> own, List<String> others) {
        }
        for (Caller caller : List.of(new Caller(alice, hers, alicesDocuments, bobsDocuments),
                new Caller(bob, his, bobsDocuments, alicesDocuments))) {
            UUID owner = ownerOf(caller.token());
            var mine = ChunkIndex.mine(owner, List.of(UUID.fromString(caller.collection())));
            var inTheQuery = index.search(owner, mine, "quince medlar orchard fruit", null, 10, false).keyword();
            var whileCollecting = index.search(owner, mine, "quince medlar orchard fruit", null, 10, true).keyword();
            // the same chunks with the same scores in the same order, the caller's own and all of them
            assertThat(whileCollecting).isEqualTo(inTheQuery);
            List<Long> found = inTheQuery.stream().map(ChunkIndex.Found::chunkId).toList();
            assertThat(found).containsExactlyInAnyOrderElementsOf(chunkIds(caller.own()));
            assertThat(found).doesNotContainAnyElementsOf(chunkIds(caller.others()));
            // the placement follows the share of the shard the collection holds
            int selected = engineCountOwned(caller.collection(), owner, "collection_id");
            int shard = given().when().get(infra.searchUrl() + "/meridian-chunks/_count?routing=" + owner)
                    .then().statusCode(200).extract().path("count");
            assertThat(index.filterWhileCollecting(owner, List.of(UUID.fromString(caller.collection()))))
                    .isEqualTo(selected >= 0.5 * shard);
        }
    }

    @Test
    void deletedDocumentsCollectionsAndUsersLeaveTheEngine() {
        String token = user();
        String kept = collection(token, "kept");
        String dropped = collection(token, "dropped");
        String document = addText(token, kept, "Lighthouse", "The lighthouse keeper trims the wick at dusk.");
        String other = addText(token, kept, "Tides", "Spring tides follow the new and the full moon.");
        String inDropped = addText(token, dropped, "Glaciers", "Glaciers carve U-shaped valleys as they retreat.");
        for (String id : List.of(document, other, inDropped)) {
            assertThat(awaitIngested(token, id)).isEqualTo("INDEXED");
            assertThat(engineCount("document_id", id)).isPositive();
        }

        given().auth().oauth2(token).when().delete("/api/rag/documents/" + document).then().statusCode(204);
        given().auth().oauth2(token).when().delete("/api/rag/collections/" + dropped).then().statusCode(204);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(engineCount("document_id", document)).isZero();
            assertThat(engineCount("collection_id", dropped)).isZero();
        });
        assertThat(engineCount("document_id", other)).isPositive();

        // the owner deleted in auth-service: all of theirs leaves
        UUID userId = ownerOf(token);
        infra.kafkaClient().publishEvent(Topics.AUTH_USERS, userId.toString(),
                RagFixtures.event("user.deleted", Map.of("userId", userId.toString())));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(engineCount("owner_id", userId.toString())).isZero());
    }

    @Test
    void withTheEngineAwayDocumentsWaitPendingAndAreIndexedOnceWhenItReturns() {
        String token = user();
        String collection = collection(token, "outage");
        String before = addText(token, collection, "Before", "Barometric pressure falls before a storm arrives.");
        assertThat(awaitIngested(token, before)).isEqualTo("INDEXED");

        List<String> during = new ArrayList<>();
        infra.searchProxy().cut();
        try {
            for (int i = 0; i < 3; i++) {
                during.add(addText(token, collection, "During " + i,
                        "Anemometer reading number " + i + " recorded the gusts along the ridge."));
            }
            // stored, but the engine has not acknowledged them: PENDING, for as long as it is away
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (String id : during) {
                    assertThat(status(token, id)).isEqualTo("PENDING");
                }
            });
            // search says so, in problem+json, and the rest of the service works
            given().auth().oauth2(token).contentType("application/json")
                    .body(Map.of("query", "anemometer", "collectionIds", List.of(collection)))
                    .when().post("/api/rag/search").then().statusCode(503)
                    .contentType("application/problem+json").body("status", equalTo(503));
            given().auth().oauth2(token).when().get("/api/rag/documents/" + before).then().statusCode(200);
        } finally {
            infra.searchProxy().restore();
        }
        for (String id : during) {
            assertThat(awaitIngested(token, id)).isEqualTo("INDEXED");
            assertThat(engineCount("document_id", id)).isEqualTo(chunkCount(id)); // none twice
        }
        assertThat(search(token, "anemometer gusts ridge", "keyword", collection).getList("results")).hasSize(3);
    }

    @Test
    void aRebuildSwitchesSearchesToANewIndexWhileTheyKeepAnswering() {
        String admin = Tokens.admin(UUID.randomUUID(), "admin-" + UUID.randomUUID().toString().substring(0, 6) + "@example.com");
        String token = user();
        String collection = collection(token, "rebuild");
        String document = addText(token, collection, "Orchards", "Grafting joins a scion of one apple tree to another's rootstock.");
        assertThat(awaitIngested(token, document)).isEqualTo("INDEXED");
        String before = given().auth().oauth2(admin).when().get("/api/rag/admin/indexes").then().statusCode(200)
                .extract().path("find { it.state == 'active' }.name");

        given().auth().oauth2(admin).when().post("/api/rag/admin/indexes/rebuild").then().statusCode(202);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            // searches answer all along
            assertThat(search(token, "grafting scion rootstock", "hybrid", collection)
                    .getString("results[0].documentId")).isEqualTo(document);
            String active = given().auth().oauth2(admin).when().get("/api/rag/admin/indexes").then().statusCode(200)
                    .extract().path("find { it.state == 'active' }.name");
            return active != null && !active.equals(before);
        });
        String after = given().auth().oauth2(admin).when().get("/api/rag/admin/indexes").then()
                .extract().path("find { it.state == 'active' }.name");
        assertThat(given().when().get(infra.searchUrl() + "/_alias/meridian-chunks").then().statusCode(200)
                .extract().jsonPath().getMap("").keySet()).containsExactly(after);
        given().when().get(infra.searchUrl() + "/" + before).then().statusCode(404); // the old one is gone
        assertThat(engineCount("document_id", document)).isEqualTo(chunkCount(document));
        // ordinary users may not rebuild
        given().auth().oauth2(token).when().post("/api/rag/admin/indexes/rebuild").then().statusCode(403);
    }

    @Test
    void anIndexLostFromTheEngineIsBuiltAgainFromPostgres() {
        String token = user();
        String collection = collection(token, "lost");
        String first = addText(token, collection, "Beekeeping", "A smoker calms the bees before the hive is opened.");
        assertThat(awaitIngested(token, first)).isEqualTo("INDEXED");
        String active = given().when().get(infra.searchUrl() + "/_alias/meridian-chunks").then().statusCode(200)
                .extract().jsonPath().getMap("").keySet().iterator().next().toString();
        given().when().delete(infra.searchUrl() + "/" + active).then().statusCode(200); // the engine's data is gone

        String second = addText(token, collection, "Honey", "Bees fan the nectar with their wings until it thickens into honey.");
        assertThat(awaitIngested(token, second)).isEqualTo("INDEXED");
        // the new index holds what PostgreSQL had, and what came after
        assertThat(search(token, "bees hive smoker honey nectar", "keyword", collection).getList("results.documentId"))
                .contains(first, second);
    }

    private static JsonPath search(String token, String query, String mode, String collection) {
        return given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("query", query, "mode", mode, "collectionIds", List.of(collection)))
                .when().post("/api/rag/search").then().statusCode(200).extract().jsonPath();
    }

    private static String status(String token, String document) {
        return given().auth().oauth2(token).when().get("/api/rag/documents/" + document).then().extract().path("status");
    }

    /** Chunks in the engine (all indexes behind the alias) whose {@code field} is {@code value}. */
    private int engineCount(String field, String value) {
        return given().contentType("application/json")
                .body(Map.of("query", Map.of("term", Map.of(field, value))))
                .when().post(infra.searchUrl() + "/meridian-chunks/_count").then().statusCode(200)
                .extract().path("count");
    }

    private int engineCountOwned(String document, UUID owner) {
        return engineCountOwned(document, owner, "document_id");
    }

    private int engineCountOwned(String value, UUID owner, String field) {
        return given().contentType("application/json")
                .body(Map.of("query", Map.of("bool", Map.of("filter", List.of(
                        Map.of("term", Map.of(field, value)),
                        Map.of("term", Map.of("owner_id", owner.toString())))))))
                .when().post(infra.searchUrl() + "/meridian-chunks/_count").then().statusCode(200)
                .extract().path("count");
    }

    private int chunkCount(String document) {
        try (Connection connection = infra.database();
                PreparedStatement statement = connection.prepareStatement("select count(*) from chunk where document_id = ?")) {
            statement.setObject(1, UUID.fromString(document));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Long> chunkIds(List<String> documents) {
        List<Long> ids = new ArrayList<>();
        try (Connection connection = infra.database();
                PreparedStatement statement = connection.prepareStatement("select id from chunk where document_id = any(?)")) {
            statement.setArray(1, connection.createArrayOf("uuid", documents.stream().map(UUID::fromString).toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    private static UUID ownerOf(String token) {
        String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8);
        return UUID.fromString(JsonPath.from(payload).getString("sub"));
    }
}
