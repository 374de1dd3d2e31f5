package io.meridian.cache;

import static io.meridian.cache.CacheFixtures.admin;
import static io.meridian.cache.CacheFixtures.namespace;
import static io.meridian.cache.CacheFixtures.reader;
import static io.meridian.cache.CacheFixtures.writer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/** Scopes for machine clients, the admin role, and users' private namespaces that nobody else can read. */
@QuarkusTest
class CacheAccessTest {

    @Test
    void readScopeReadsWriteScopeWrites() {
        String ns = namespace("scopes");
        given().auth().oauth2(reader()).body("x").when().put("/api/cache/" + ns + "/k")
                .then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(writer()).body("x").when().put("/api/cache/" + ns + "/k").then().statusCode(204);
        given().auth().oauth2(reader()).when().get("/api/cache/" + ns + "/k").then().statusCode(200);
        given().auth().oauth2(reader()).when().delete("/api/cache/" + ns + "/k").then().statusCode(403);
        given().auth().oauth2(reader()).when().delete("/api/cache/" + ns).then().statusCode(403);
        given().auth().oauth2(Tokens.client("no-scope", "email:send")).when().get("/api/cache/" + ns + "/k")
                .then().statusCode(403);
        given().auth().oauth2(admin()).when().get("/api/cache/" + ns + "/k").then().statusCode(200);
        given().auth().oauth2(admin()).when().delete("/api/cache/" + ns + "/k").then().statusCode(204);
    }

    @Test
    void withoutATokenEverythingIs401() {
        String ns = namespace("anon");
        given().when().get("/api/cache/" + ns + "/k").then().statusCode(401);
        given().body("x").when().put("/api/cache/" + ns + "/k").then().statusCode(401);
        given().when().get("/api/cache/stats").then().statusCode(401);
        given().header("Authorization", "Bearer not-a-token").when().get("/api/cache/" + ns + "/k").then().statusCode(401);
    }

    @Test
    void aUserOwnsTheirNamespaceAndNobodyElseReadsIt() {
        UUID owner = UUID.randomUUID();
        String mine = Tokens.user(owner, "owner@example.com");
        String own = "user:" + owner;
        given().auth().oauth2(mine).body("secret").when().put("/api/cache/" + own + "/note").then().statusCode(204);
        given().auth().oauth2(mine).when().get("/api/cache/" + own + "/note").then().statusCode(200)
                .body(equalTo("secret"));
        given().auth().oauth2(mine).contentType("application/json").body(Map.of("keys", List.of("note")))
                .when().post("/api/cache/" + own + "/bulk-get").then().statusCode(200)
                .body("entries[0].value", equalTo("secret"));

        String someoneElse = Tokens.user(UUID.randomUUID(), "other@example.com");
        given().auth().oauth2(someoneElse).when().get("/api/cache/" + own + "/note").then().statusCode(403);
        given().auth().oauth2(someoneElse).body("x").when().put("/api/cache/" + own + "/note").then().statusCode(403);
        given().auth().oauth2(someoneElse).when().delete("/api/cache/" + own).then().statusCode(403);
        given().auth().oauth2(admin()).when().get("/api/cache/" + own + "/note").then().statusCode(403);
        given().auth().oauth2(writer()).when().get("/api/cache/" + own + "/note").then().statusCode(403);
        // a user without scopes has no business in shared namespaces
        given().auth().oauth2(mine).body("x").when().put("/api/cache/" + namespace("shared") + "/k").then().statusCode(403);
        // and the value is still the owner's
        given().auth().oauth2(mine).when().get("/api/cache/" + own + "/note").then().statusCode(200);
    }

    @Test
    void statisticsAreForAdminsOnly() {
        given().auth().oauth2(writer()).when().get("/api/cache/stats").then().statusCode(403);
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "u@example.com")).when().get("/api/cache/stats")
                .then().statusCode(403);
        given().auth().oauth2(admin()).when().get("/api/cache/stats").then().statusCode(200);
    }
}
