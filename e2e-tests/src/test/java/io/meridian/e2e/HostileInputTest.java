package io.meridian.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Documents;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * The data plane under hostile input, through the gateway against the packaged services with their default bounds
 * (issue 18): uploads made to exhaust rag-service end FAILED with the bound they hit while the service keeps indexing.
 */
class HostileInputTest {

    private static String token;

    @BeforeAll
    static void aUser() {
        RestAssured.baseURI = Suite.get().gateway();
        String email = "mallory-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String password = "Mallory uploads " + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(Map.of("email", email, "password", password, "displayName", "Mallory"))
                .when().post("/api/auth/register").then().statusCode(201);
        token = AccountJourneyTest.login(email, password).getString("accessToken");
    }

    @Test
    void aDecompressionBombAndAHugePageEndFailedAndTheNextDocumentIsIndexed() {
        String collection = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "hostile"))
                .when().post("/api/rag/collections").then().statusCode(201).extract().path("id");
        // 1 GiB of operators in about a megabyte, past the default 64 MB of decoded data
        String bomb = upload(collection, "bomb.pdf", Documents.pdfBomb(1L << 30));
        // 250,000 elements in 2 MB, past the default 200,000
        String page = upload(collection, "page.html", Documents.htmlOfElements(250_000));
        String next = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("title", "after", "text", "Storm petrels patter over the waves as they feed."))
                .when().post("/api/rag/collections/" + collection + "/documents").then().statusCode(202)
                .extract().path("id");

        assertThat(Waits.indexed(token, bomb)).isEqualTo("FAILED");
        given().auth().oauth2(token).when().get("/api/rag/documents/" + bomb).then()
                .body("error", containsString("expands beyond 64 MB"));
        assertThat(Waits.indexed(token, page)).isEqualTo("FAILED");
        given().auth().oauth2(token).when().get("/api/rag/documents/" + page).then()
                .body("error", containsString("more than 200,000 elements"));
        assertThat(Waits.indexed(token, next)).isEqualTo("INDEXED");
        given().when().get("/health").then().statusCode(200);
    }

    private static String upload(String collection, String name, byte[] content) {
        return given().auth().oauth2(token).multiPart("file", name, content, "application/octet-stream")
                .when().post("/api/rag/collections/" + collection + "/documents").then().statusCode(202)
                .extract().path("id");
    }
}
