package io.meridian.rag;

import static io.meridian.rag.RagFixtures.addText;
import static io.meridian.rag.RagFixtures.awaitIngested;
import static io.meridian.rag.RagFixtures.collection;
import static io.meridian.rag.RagFixtures.upload;
import static io.meridian.rag.RagFixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Documents;
import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Uploads made to exhaust rag-service (issue 18): each ends FAILED naming the bound it hit, the service stays ready
 * and the document after them is indexed. The bounds are the test profile's (application.properties): 1,000,000
 * characters, 50 pages, 100,000 characters a page, 20,000 HTML elements, 16 MB of decoded PDF data.
 */
@QuarkusTest
class HostileUploadTest {

    /** What a client declares says nothing: rag-service detects the type from the bytes. */
    private static final String ANY = "application/octet-stream";

    @InjectInfrastructure
    Infrastructure infra;

    @Test
    void uploadsPastEachBoundFailWithItAndTheNextDocumentIsIndexed() {
        String token = user();
        String collection = collection(token, "hostile");
        Map<String, String> expected = new LinkedHashMap<>();
        // 512 MB of operators in about half a megabyte: it would inflate into the heap, or a temporary file, whole
        expected.put(upload(token, collection, "bomb.pdf", ANY, Documents.pdfBomb(512L * 1024 * 1024)),
                "expands beyond 16 MB");
        expected.put(upload(token, collection, "dense.pdf", ANY, Documents.pdfDensePage(150_000)),
                "page 1 has more than 100,000 characters");
        expected.put(upload(token, collection, "long.pdf", ANY, Documents.pdfPages(60)), "it has 60 pages; at most 50");
        expected.put(upload(token, collection, "tiny-elements.html", ANY, Documents.htmlOfElements(30_000)),
                "more than 20,000 elements");
        expected.put(upload(token, collection, "long.txt", ANY,
                "word ".repeat(240_000).getBytes(StandardCharsets.UTF_8)), "more than 1,000,000 characters");
        String next = addText(token, collection, "after", "The gannet plunges from thirty metres into the sea.");

        expected.forEach((document, bound) -> {
            assertThat(awaitIngested(token, document)).as(bound).isEqualTo("FAILED");
            given().auth().oauth2(token).when().get("/api/rag/documents/" + document).then()
                    .body("error", containsString("was not read to the end"))
                    .body("error", containsString(bound))
                    .body("chunkCount", equalTo(0));
        });
        assertThat(awaitIngested(token, next)).isEqualTo("INDEXED");
        given().when().get("/q/health/ready").then().statusCode(200);
        // the original of a refused document is still the user's, byte for byte
        String bomb = expected.keySet().iterator().next();
        byte[] original = given().auth().oauth2(token).when().get("/api/rag/documents/" + bomb + "/content")
                .then().statusCode(200).extract().asByteArray();
        assertThat(new String(original, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    }

    @Test
    void anOriginalIsStoredAndServedInPartsByteForByte() throws Exception {
        String token = user();
        String collection = collection(token, "parts");
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 1_300_000; i++) {
            text.append("Line ").append(i).append(": the shearwater skims the swell.\n");
        }
        byte[] sent = text.toString().getBytes(StandardCharsets.UTF_8);
        String document = upload(token, collection, "long-notes.txt", ANY, sent);

        byte[] served = given().auth().oauth2(token).when().get("/api/rag/documents/" + document + "/content")
                .then().statusCode(200).header("Content-Length", String.valueOf(sent.length))
                .extract().asByteArray();
        assertThat(served).isEqualTo(sent);
        try (Connection db = infra.database();
                PreparedStatement parts = db.prepareStatement(
                        "select count(*), max(length(bytes)) from document_part where document_id = ?::uuid")) {
            parts.setString(1, document);
            try (ResultSet rows = parts.executeQuery()) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(2); // 1 MiB and the rest
                assertThat(rows.getInt(2)).isEqualTo(1024 * 1024);
            }
        }
    }
}
