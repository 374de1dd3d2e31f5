package io.meridian.rag;

import static io.meridian.rag.RagFixtures.addText;
import static io.meridian.rag.RagFixtures.awaitIngested;
import static io.meridian.rag.RagFixtures.collection;
import static io.meridian.rag.RagFixtures.pdf;
import static io.meridian.rag.RagFixtures.upload;
import static io.meridian.rag.RagFixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.meridian.platform.events.Topics;
import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.quarkus.test.junit.QuarkusTest;

/** Uploads of every accepted kind are parsed, chunked, embedded and stored; the rest is refused or FAILED. */
@QuarkusTest
class DocumentIngestionTest {

    @InjectInfrastructure
    Infrastructure infra;

    @Test
    void eachFormatIsParsedAndIndexed() {
        String token = user();
        String collection = collection(token, "formats");
        String text = addText(token, collection, "plain", "The albatross glides for hours over the southern ocean.");
        String markdown = upload(token, collection, "notes.md", "text/plain",
                "# Heading\n\nThe **kestrel** hovers above the meadow.\n".getBytes(StandardCharsets.UTF_8));
        String html = upload(token, collection, "page.html", "application/octet-stream",
                "<html><head><title>t</title><script>var x = 1;</script></head><body><p>The heron waits in the shallows.</p></body></html>"
                        .getBytes(StandardCharsets.UTF_8));
        String pdf = upload(token, collection, "paper.pdf", "application/pdf",
                pdf("The cormorant dives for fish.", "It dries its wings on the rocks."));

        for (String document : List.of(text, markdown, html, pdf)) {
            assertThat(awaitIngested(token, document)).isEqualTo("INDEXED");
            given().auth().oauth2(token).when().get("/api/rag/documents/" + document)
                    .then().body("chunkCount", greaterThan(0)).body("indexedAt", org.hamcrest.Matchers.notNullValue());
        }
        given().auth().oauth2(token).when().get("/api/rag/documents/" + markdown).then().body("contentType", equalTo("text/markdown"));
        given().auth().oauth2(token).when().get("/api/rag/documents/" + html).then().body("contentType", equalTo("text/html"));
        given().auth().oauth2(token).when().get("/api/rag/documents/" + pdf).then().body("contentType", equalTo("application/pdf"));
        // what was indexed is the text, not the markup
        assertThat(chunkText(html)).contains("heron").doesNotContain("<p>").doesNotContain("var x");
        assertThat(chunkText(pdf)).contains("cormorant");
        // the original is kept as it came
        byte[] original = given().auth().oauth2(token).when().get("/api/rag/documents/" + pdf + "/content")
                .then().statusCode(200).contentType("application/pdf").extract().asByteArray();
        assertThat(new String(original, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        given().auth().oauth2(token).when().get("/api/rag/collections/" + collection)
                .then().body("documentCount", equalTo(4));
    }

    @Test
    void aBatchOfJsonDocumentsIsAcceptedAndIndexed() {
        String token = user();
        String collection = collection(token, "batch");
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            batch.add(Map.of("title", "doc " + i, "text", "Document number " + i + " talks about topic " + i + ".",
                    "externalId", "b-" + i, "metadata", Map.of("n", i)));
        }
        List<String> ids = given().auth().oauth2(token).contentType("application/json").body(Map.of("documents", batch))
                .when().post("/api/rag/collections/" + collection + "/documents/batch")
                .then().statusCode(202).body("$", hasSize(20)).body("[0].status", equalTo("PENDING"))
                .body("[3].externalId", equalTo("b-3")).extract().path("id");
        for (String id : ids) {
            assertThat(awaitIngested(token, id)).isEqualTo("INDEXED");
        }
        given().auth().oauth2(token).when().get("/api/rag/documents/" + ids.get(5))
                .then().body("metadata.n", equalTo(5));
    }

    @Test
    void whatIsNotAcceptedIs415AndTooLargeIs413() {
        String token = user();
        String collection = collection(token, "refused");
        byte[] png = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1 };
        given().auth().oauth2(token).multiPart("file", "image.txt", png, "text/plain")
                .when().post("/api/rag/collections/" + collection + "/documents")
                .then().statusCode(415).contentType("application/problem+json").body("detail", containsString("image/png"));
        given().auth().oauth2(token).multiPart("file", "big.txt", new byte[3 * 1024 * 1024], "text/plain")
                .when().post("/api/rag/collections/" + collection + "/documents").then().statusCode(413);
        given().auth().oauth2(token).when().get("/api/rag/collections/" + collection)
                .then().body("documentCount", equalTo(0));
    }

    @Test
    void aBrokenDocumentFailsWithItsReasonAndTheNextOneIsIndexed() {
        String token = user();
        String collection = collection(token, "broken");
        byte[] broken = "%PDF-1.7\n this is not really a PDF at all".getBytes(StandardCharsets.US_ASCII);
        String bad = upload(token, collection, "broken.pdf", "application/pdf", broken);
        String good = addText(token, collection, "after", "The puffin nests in burrows on the cliffs.");

        assertThat(awaitIngested(token, bad)).isEqualTo("FAILED");
        given().auth().oauth2(token).when().get("/api/rag/documents/" + bad)
                .then().body("error", containsString("could not be read")).body("chunkCount", equalTo(0));
        assertThat(awaitIngested(token, good)).isEqualTo("INDEXED");

        List<ConsumerRecord<String, String>> events = infra.kafkaClient().readAll(Topics.RAG_DOCUMENTS,
                Duration.ofSeconds(1), Duration.ofSeconds(20));
        assertThat(events).anySatisfy(r -> assertThat(r.value()).contains("document.failed").contains(bad));
        assertThat(events).anySatisfy(r -> assertThat(r.value()).contains("document.indexed").contains(good));
    }

    @Test
    void deletingADocumentRemovesItsChunksAndAnnouncesIt() throws Exception {
        String token = user();
        String collection = collection(token, "delete");
        String document = addText(token, collection, "gone", "The ptarmigan turns white in winter.");
        awaitIngested(token, document);
        assertThat(chunkCount(document)).isPositive();

        given().auth().oauth2(token).when().delete("/api/rag/documents/" + document).then().statusCode(204);
        given().auth().oauth2(token).when().get("/api/rag/documents/" + document).then().statusCode(404);
        assertThat(chunkCount(document)).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> infra.kafkaClient().readAll(Topics.RAG_DOCUMENTS,
                Duration.ofSeconds(1), Duration.ofSeconds(10)).stream()
                .anyMatch(r -> r.value().contains("document.deleted") && r.value().contains(document)));
    }

    @Test
    void anotherUserSeesNothing() {
        String owner = user();
        String collection = collection(owner, "private");
        String document = addText(owner, collection, "mine", "The secret of the snow bunting.");
        awaitIngested(owner, document);

        String stranger = user();
        given().auth().oauth2(stranger).when().get("/api/rag/collections/" + collection).then().statusCode(404);
        given().auth().oauth2(stranger).when().get("/api/rag/documents/" + document).then().statusCode(404);
        given().auth().oauth2(stranger).when().get("/api/rag/documents/" + document + "/content").then().statusCode(404);
        given().auth().oauth2(stranger).when().delete("/api/rag/documents/" + document).then().statusCode(404);
        given().auth().oauth2(stranger).contentType("application/json").body(Map.of("title", "x", "text", "y"))
                .when().post("/api/rag/collections/" + collection + "/documents").then().statusCode(404);
        given().auth().oauth2(stranger).contentType("application/json")
                .body(Map.of("query", "snow bunting", "collectionIds", List.of(collection)))
                .when().post("/api/rag/search").then().statusCode(404);
        given().auth().oauth2(stranger).when().get("/api/rag/collections").then().body("total", equalTo(0));
        given().when().get("/api/rag/collections").then().statusCode(401);
        given().auth().oauth2(io.meridian.testsupport.Tokens.client("machine", "rag:read")).when()
                .get("/api/rag/collections").then().statusCode(403);
    }

    @Test
    void aDeletedUsersCollectionsDocumentsAndChunksGo() throws Exception {
        java.util.UUID userId = java.util.UUID.randomUUID();
        String token = io.meridian.testsupport.Tokens.user(userId, "leaving@example.com");
        String collection = collection(token, "leaving");
        String document = addText(token, collection, "bye", "The swift spends months in the air without landing.");
        assertThat(awaitIngested(token, document)).isEqualTo("INDEXED");

        infra.kafkaClient().publishEvent(Topics.AUTH_USERS, userId.toString(), RagFixtures.event("user.deleted",
                Map.of("userId", userId.toString(), "email", "leaving@example.com")));

        await().atMost(Duration.ofSeconds(30)).until(() -> given().auth().oauth2(token).when()
                .get("/api/rag/collections/" + collection).statusCode() == 404);
        assertThat(chunkCount(document)).isZero();
        given().auth().oauth2(token).when().get("/api/rag/documents/" + document).then().statusCode(404);
    }

    private String chunkText(String document) {
        try (Connection db = infra.database();
                PreparedStatement query = db.prepareStatement(
                        "select string_agg(text, ' ' order by ordinal) from chunk where document_id = ?::uuid")) {
            query.setString(1, document);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long chunkCount(String document) throws Exception {
        try (Connection db = infra.database();
                PreparedStatement query = db.prepareStatement("select count(*) from chunk where document_id = ?::uuid")) {
            query.setString(1, document);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
