package io.meridian.cache;

import static io.meridian.cache.CacheFixtures.admin;
import static io.meridian.cache.CacheFixtures.namespace;
import static io.meridian.cache.CacheFixtures.writer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/** Namespace policies: admins set them, they are stored, and the entry limit evicts the least recently used. */
@QuarkusTest
class NamespacePolicyTest {

    @Test
    void pastTheLimitTheLeastRecentlyUsedEntryGoesFirst() {
        String ns = namespace("lru");
        setPolicy(ns, 3600, 3);
        put(ns, "a");
        put(ns, "b");
        put(ns, "c");
        get(ns, "a", 200); // a is now more recently used than b
        put(ns, "d");

        get(ns, "b", 404);
        get(ns, "a", 200);
        get(ns, "c", 200);
        get(ns, "d", 200);
    }

    @Test
    void aLowerLimitAppliesAtOnce() {
        String ns = namespace("shrink");
        for (int i = 0; i < 10; i++) {
            put(ns, "k" + i);
        }
        setPolicy(ns, 3600, 4);
        for (int i = 0; i < 6; i++) {
            get(ns, "k" + i, 404);
        }
        for (int i = 6; i < 10; i++) {
            get(ns, "k" + i, 200);
        }
        given().auth().oauth2(admin()).when().get("/api/cache/" + ns)
                .then().statusCode(200).body("maxEntries", equalTo(4)).body("explicit", equalTo(true))
                .body("updatedAt", notNullValue());
    }

    @Test
    void aNamespaceWithoutAPolicyShowsTheDefaults() {
        given().auth().oauth2(admin()).when().get("/api/cache/" + namespace("plain"))
                .then().statusCode(200).body("explicit", equalTo(false)).body("defaultTtlSeconds", equalTo(3600))
                .body("maxEntries", equalTo(0));
        UUID user = UUID.randomUUID();
        given().auth().oauth2(Tokens.user(user, "own@example.com")).when().get("/api/cache/user:" + user)
                .then().statusCode(200).body("maxEntries", equalTo(10000));
    }

    @Test
    void onlyAdminsSetPoliciesAndBadOnesAre400() {
        String ns = namespace("guarded");
        Map<String, Object> policy = Map.of("defaultTtlSeconds", 60, "maxEntries", 10);
        given().contentType("application/json").body(policy).when().put("/api/cache/" + ns).then().statusCode(401);
        given().auth().oauth2(writer()).contentType("application/json").body(policy).when().put("/api/cache/" + ns)
                .then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "u@example.com")).contentType("application/json")
                .body(policy).when().put("/api/cache/" + ns).then().statusCode(403);
        given().auth().oauth2(admin()).contentType("application/json")
                .body(Map.of("defaultTtlSeconds", 0, "maxEntries", 10)).when().put("/api/cache/" + ns)
                .then().statusCode(400).body("errors[0].field", equalTo("defaultTtlSeconds"));
        given().auth().oauth2(admin()).contentType("application/json").body(Map.of("maxEntries", -1))
                .when().put("/api/cache/" + ns).then().statusCode(400);
        given().auth().oauth2(admin()).when().get("/api/cache/" + ns).then().body("explicit", equalTo(false));
    }

    private static void setPolicy(String ns, int ttl, int maxEntries) {
        given().auth().oauth2(admin()).contentType("application/json")
                .body(Map.of("defaultTtlSeconds", ttl, "maxEntries", maxEntries))
                .when().put("/api/cache/" + ns).then().statusCode(200).body("namespace", equalTo(ns))
                .body("maxEntries", equalTo(maxEntries));
    }

    private static void put(String ns, String key) {
        given().auth().oauth2(writer()).body(key).when().put("/api/cache/" + ns + "/" + key).then().statusCode(204);
    }

    private static void get(String ns, String key, int status) {
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/" + key).then().statusCode(status);
    }
}
