package io.meridian.rag;

import static io.meridian.rag.RagFixtures.addText;
import static io.meridian.rag.RagFixtures.awaitIngested;
import static io.meridian.rag.RagFixtures.collection;
import static io.meridian.rag.RagFixtures.upload;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * What one user may hold (issue 18): the test profile's quotas (application.properties) read back from the API, each
 * filled, and the request past it refused with a problem naming the quota while nothing of it is stored.
 */
@QuarkusTest
class QuotaTest {

    private static final String ANY = "application/octet-stream";

    private static JsonPath usage(String token) {
        return given().auth().oauth2(token).when().get("/api/rag/usage").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void collectionsPastTheQuotaAre409EvenWhenAskedForAllAtOnce() throws Exception {
        String token = RagFixtures.user();
        int limit = usage(token).getInt("limits.collections");
        int asked = limit + 4;
        // all at once: two creations racing for the last place must not both take it
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < asked; i++) {
                int n = i;
                Callable<Integer> create = () -> given().auth().oauth2(token).contentType("application/json")
                        .body(Map.of("name", "c" + n)).when().post("/api/rag/collections").then().extract().statusCode();
                answers.add(pool.submit(create));
            }
            int created = 0;
            int refused = 0;
            for (Future<Integer> answer : answers) {
                int status = answer.get();
                created += status == 201 ? 1 : 0;
                refused += status == 409 ? 1 : 0;
            }
            assertThat(created).isEqualTo(limit);
            assertThat(refused).isEqualTo(asked - limit);
        } finally {
            pool.shutdownNow();
        }
        assertThat(usage(token).getInt("collections")).isEqualTo(limit);

        given().auth().oauth2(token).contentType("application/json").body(Map.of("name", "one too many"))
                .when().post("/api/rag/collections")
                .then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("https://meridian.dev/problems/quota-exceeded"))
                .body("quota.name", equalTo("collections")).body("quota.limit", equalTo(limit))
                .body("quota.used", equalTo(limit)).body("detail", containsString("collections quota"));

        // a deleted collection frees its place
        String first = given().auth().oauth2(token).when().get("/api/rag/collections?size=1").then()
                .extract().path("items[0].id");
        given().auth().oauth2(token).when().delete("/api/rag/collections/" + first).then().statusCode(204);
        collection(token, "in its place");
    }

    @Test
    void documentsPastTheQuotaAre409AndABatchIsTakenWholeOrNotAtAll() {
        String token = RagFixtures.user();
        String collection = collection(token, "full");
        int limit = usage(token).getInt("limits.documents");
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < limit - 1; i++) {
            batch.add(Map.of("title", "note " + i, "text", "Note " + i + " on the kittiwake."));
        }
        given().auth().oauth2(token).contentType("application/json").body(Map.of("documents", batch))
                .when().post("/api/rag/collections/" + collection + "/documents/batch").then().statusCode(202);

        // two more than the one place left: refused whole, nothing of it stored
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("documents", List.of(Map.of("title", "a", "text", "The fulmar."),
                        Map.of("title", "b", "text", "The gannet."))))
                .when().post("/api/rag/collections/" + collection + "/documents/batch")
                .then().statusCode(409).contentType("application/problem+json")
                .body("quota.name", equalTo("documents")).body("quota.used", equalTo(limit - 1))
                .body("quota.requested", equalTo(2));
        assertThat(usage(token).getInt("documents")).isEqualTo(limit - 1);

        addText(token, collection, "the last", "The last place is taken by the puffin.");
        given().auth().oauth2(token).contentType("application/json").body(Map.of("title", "over", "text", "The skua."))
                .when().post("/api/rag/collections/" + collection + "/documents")
                .then().statusCode(409).body("quota.name", equalTo("documents"));
        assertThat(usage(token).getInt("documents")).isEqualTo(limit);
    }

    @Test
    void bytesOfOriginalsPastTheQuotaAre413() {
        String token = RagFixtures.user();
        String collection = collection(token, "bytes");
        long limit = usage(token).getLong("limits.originalBytes");
        byte[] file = "tern ".repeat(380_000).getBytes(StandardCharsets.UTF_8); // 1.9 MB, under the body limit
        long stored = 0;
        while (stored + file.length <= limit) {
            upload(token, collection, "notes-" + stored + ".txt", ANY, file);
            stored += file.length;
        }
        given().auth().oauth2(token).multiPart("file", "one-more.txt", file, ANY)
                .when().post("/api/rag/collections/" + collection + "/documents")
                .then().statusCode(413).contentType("application/problem+json")
                .body("quota.name", equalTo("originalBytes")).body("quota.used", equalTo((int) stored))
                .body("quota.requested", equalTo(file.length));
        assertThat(usage(token).getLong("originalBytes")).isEqualTo(stored);
    }

    @Test
    void aDocumentWhoseChunksWouldPassTheQuotaFailsNamingItAndTheNextOneIsIndexed() {
        String token = RagFixtures.user();
        String collection = collection(token, "chunks");
        int limit = usage(token).getInt("limits.chunks");
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 1200 * limit; i++) { // at most 1,000 characters a chunk: more than the limit
            text.append("Paragraph ").append(i).append(" on the storm petrel's flight over the swell.\n\n");
        }
        String large = upload(token, collection, "large.txt", ANY, text.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(awaitIngested(token, large)).isEqualTo("FAILED");
        given().auth().oauth2(token).when().get("/api/rag/documents/" + large).then()
                .body("error", containsString("over the chunks quota")).body("chunkCount", equalTo(0));

        String small = addText(token, collection, "small", "The storm petrel patters on the water.");
        assertThat(awaitIngested(token, small)).isEqualTo("INDEXED");
        assertThat(usage(token).getInt("chunks")).isEqualTo(1);
    }

    @Test
    void adminsSeeEveryUsersUsageAndUsersDoNot() {
        UUID userId = UUID.randomUUID();
        String token = Tokens.user(userId, "holder@example.com");
        String collection = collection(token, "held");
        String document = addText(token, collection, "held", "The shag dries its wings on the rock.");
        assertThat(awaitIngested(token, document)).isEqualTo("INDEXED");

        String admin = Tokens.admin(UUID.randomUUID(), "quota-admin@example.com");
        given().auth().oauth2(admin).when().get("/api/rag/admin/usage/" + userId).then().statusCode(200)
                .body("userId", equalTo(userId.toString())).body("collections", equalTo(1))
                .body("documents", equalTo(1)).body("chunks", equalTo(1))
                .body("originalBytes", equalTo("The shag dries its wings on the rock.".length()))
                .body("limits.documents", equalTo(usage(token).getInt("limits.documents")));
        JsonPath page = given().auth().oauth2(admin).when().get("/api/rag/admin/usage?size=100").then().statusCode(200)
                .extract().jsonPath();
        assertThat(page.getLong("total")).isGreaterThanOrEqualTo(1);
        assertThat(page.getList("items.originalBytes", Long.class)).isSortedAccordingTo((a, b) -> Long.compare(b, a));

        given().auth().oauth2(token).when().get("/api/rag/admin/usage").then().statusCode(403);
        // no token: 401; a page past the largest: 400 problem naming the field
        given().when().get("/api/rag/usage").then().statusCode(401);
        given().when().get("/api/rag/admin/usage").then().statusCode(401);
        given().auth().oauth2(admin).when().get("/api/rag/admin/usage?size=1000").then().statusCode(400)
                .contentType("application/problem+json");
        given().auth().oauth2(token).when().get("/api/rag/admin/usage/" + userId).then().statusCode(403);
    }
}
