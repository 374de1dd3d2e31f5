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
 * (issue 18): uploads made to exhaust rag-service end FAILED with the bound they hit while the service keeps indexing;
 * a user who fills their cache namespace stays within its quota and leaves revocation and rate limiting working.
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

    @Test
    void aUserWhoFillsTheirCacheLeavesRevocationAndRateLimitsWorkingAndAnAdminFlushesIt() {
        String email = "filler-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String password = "Fills the cache " + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(Map.of("email", email, "password", password, "displayName", "Filler"))
                .when().post("/api/auth/register").then().statusCode(201);
        String filler = AccountJourneyTest.login(email, password).getString("accessToken");
        String namespace = "user:" + given().auth().oauth2(filler).when().get("/api/auth/me").then().statusCode(200)
                .extract().path("id");
        long quota = given().auth().oauth2(filler).when().get("/api/cache/" + namespace).then().statusCode(200)
                .extract().jsonPath().getLong("maxBytes");
        byte[] megabyte = new byte[1_000_000];
        int writes = (int) (quota / megabyte.length) + 4; // four past the quota
        for (int i = 0; i < writes; i++) {
            given().auth().oauth2(filler).contentType("application/octet-stream").body(megabyte).when()
                    .put("/api/cache/" + namespace + "/v" + i).then().statusCode(204);
        }
        // the namespace stays within its quota, the least recently written entries gone
        var usage = given().auth().oauth2(filler).when().get("/api/cache/" + namespace).then().statusCode(200)
                .extract().jsonPath();
        assertThat(usage.getLong("usage.bytes")).isLessThanOrEqualTo(quota).isEqualTo((quota / megabyte.length)
                * megabyte.length);
        given().auth().oauth2(filler).when().get("/api/cache/" + namespace + "/v0").then().statusCode(404);
        given().auth().oauth2(filler).when().get("/api/cache/" + namespace + "/v" + (writes - 1)).then().statusCode(200);

        // security state is untouched: a session logged out is refused at once, the rate limits answer
        var second = AccountJourneyTest.login(email, password);
        given().auth().oauth2(second.getString("accessToken")).contentType(ContentType.JSON)
                .body(Map.of("refreshToken", second.getString("refreshToken"))).when().post("/api/auth/logout")
                .then().statusCode(204);
        given().auth().oauth2(second.getString("accessToken")).when().get("/api/auth/me").then().statusCode(401);
        // the rate limit is taken from the caller's bucket in the platform's Redis (without Redis it would pass
        // unchecked and say nothing)
        given().auth().oauth2(filler).when().get("/api/cache/" + namespace + "/v" + (writes - 1)).then().statusCode(200)
                .header("RateLimit-Limit", org.hamcrest.Matchers.notNullValue())
                .header("RateLimit-Remaining", org.hamcrest.Matchers.notNullValue());

        // an admin flushes the namespace
        String admin = AccountJourneyTest.login(Suite.ADMIN_EMAIL, Suite.ADMIN_PASSWORD).getString("accessToken");
        given().auth().oauth2(admin).when().delete("/api/cache/" + namespace).then().statusCode(204);
        assertThat(given().auth().oauth2(filler).when().get("/api/cache/" + namespace).then().statusCode(200)
                .extract().jsonPath().getLong("usage.keys")).isZero();
    }

    private static String upload(String collection, String name, byte[] content) {
        return given().auth().oauth2(token).multiPart("file", name, content, "application/octet-stream")
                .when().post("/api/rag/collections/" + collection + "/documents").then().statusCode(202)
                .extract().path("id");
    }
}
