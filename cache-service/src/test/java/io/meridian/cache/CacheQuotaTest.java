package io.meridian.cache;

import static io.meridian.cache.CacheFixtures.admin;
import static io.meridian.cache.CacheFixtures.namespace;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.meridian.platform.security.RevokedSessionKeys;
import io.meridian.testsupport.Tokens;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The cache cannot be used to starve security (issue 18): a user's namespace holds a bounded number of bytes for a
 * bounded time, an admin can flush it, and cache data lives in a Redis of its own, so that a full cache leaves the
 * deny-list (in the platform's Redis) working.
 */
@QuarkusTest
class CacheQuotaTest {

    @Inject
    RedisDataSource security; // the default client: the platform's Redis, where auth-service writes revocations

    private static byte[] value(int size, char fill) {
        byte[] value = new byte[size];
        java.util.Arrays.fill(value, (byte) fill);
        return value;
    }

    private static int put(String token, String namespace, String key, byte[] value) {
        return given().auth().oauth2(token).contentType("application/octet-stream").body(value)
                .when().put("/api/cache/" + namespace + "/" + key).then().extract().statusCode();
    }

    /** A namespace's live entries and bytes, as its policy shows them (private namespaces are summed in the stats). */
    private static JsonPath usage(String namespace) {
        return given().auth().oauth2(admin()).when().get("/api/cache/" + namespace).then().statusCode(200).extract()
                .jsonPath().setRootPath("usage");
    }

    @Test
    void aUsersNamespaceKeepsItsBytesUnderTheQuotaLeastRecentlyUsedFirst() {
        UUID user = UUID.randomUUID();
        String token = Tokens.user(user, "filler@example.com");
        String ns = "user:" + user;
        long limit = given().auth().oauth2(token).when().get("/api/cache/" + ns).then().statusCode(200)
                .extract().jsonPath().getLong("maxBytes");
        int size = (int) (limit / 3) + 1; // the third write cannot fit beside the first two
        for (int i = 0; i < 6; i++) {
            assertThat(put(token, ns, "v" + i, value(size, (char) ('a' + i)))).isEqualTo(204);
        }
        assertThat(usage(ns).getLong("bytes")).isLessThanOrEqualTo(limit).isEqualTo(2L * size);
        given().auth().oauth2(token).when().get("/api/cache/" + ns + "/v0").then().statusCode(404);
        given().auth().oauth2(token).when().get("/api/cache/" + ns + "/v5").then().statusCode(200);

        // more than the whole quota in one write, and a TTL past the cap: refused, nothing written
        given().auth().oauth2(token).contentType("application/octet-stream").body(value((int) limit + 1, 'z'))
                .when().put("/api/cache/" + ns + "/huge").then().statusCode(413)
                .contentType("application/problem+json").body("quota.name", equalTo("namespaceBytes"))
                .body("quota.limit", equalTo((int) limit));
        long cap = given().auth().oauth2(token).when().get("/api/cache/" + ns).then().extract().jsonPath()
                .getLong("maxTtlSeconds");
        given().auth().oauth2(token).contentType("text/plain").body("x").when()
                .put("/api/cache/" + ns + "/long-lived?ttl=" + (cap + 1)).then().statusCode(400)
                .body("errors[0].field", equalTo("ttl"));
        assertThat(usage(ns).getLong("bytes")).isEqualTo(2L * size);
    }

    @Test
    void anAdminFlushesAUsersNamespaceWhichThenLeavesTheStats() {
        UUID user = UUID.randomUUID();
        String token = Tokens.user(user, "flushed@example.com");
        String ns = "user:" + user;
        assertThat(put(token, ns, "a", value(1000, 'a'))).isEqualTo(204);
        assertThat(usage(ns).getInt("keys")).isEqualTo(1);
        // another user may not, an admin may (without being able to read it)
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "other@example.com")).when().delete("/api/cache/" + ns)
                .then().statusCode(403);
        given().auth().oauth2(admin()).when().delete("/api/cache/" + ns).then().statusCode(204);
        given().auth().oauth2(token).when().get("/api/cache/" + ns + "/a").then().statusCode(404);
        assertThat(usage(ns).getInt("keys")).isZero();
        assertThat(usage(ns).getInt("bytes")).isZero();
    }

    @Test
    void aFullCacheRedisLeavesRevocationWorking() {
        String ns = namespace("fill");
        given().auth().oauth2(admin()).contentType("application/json")
                .body(Map.of("defaultTtlSeconds", 600, "maxEntries", 0, "maxBytes", 0))
                .when().put("/api/cache/" + ns).then().statusCode(200).body("maxBytes", equalTo(0));
        UUID user = UUID.randomUUID();
        String token = Tokens.user(user, "victim@example.com");
        String mine = "user:" + user;
        assertThat(put(token, mine, "k", value(10, 'k'))).isEqualTo(204);
        try {
            // the cache's Redis is filled to its budget: writes are refused with 503, never taken from elsewhere
            int status = 204;
            for (int i = 0; i < 400 && status == 204; i++) {
                status = put(admin(), ns, "block-" + i, value(900_000, 'f'));
            }
            assertThat(status).isEqualTo(503);
            given().auth().oauth2(admin()).contentType("application/octet-stream").body(value(900_000, 'g'))
                    .when().put("/api/cache/" + ns + "/one-more").then().statusCode(503)
                    .contentType("application/problem+json").body("detail", containsString("cache store"));
            // reads still work while Redis is full
            given().auth().oauth2(token).when().get("/api/cache/" + mine + "/k").then().statusCode(200);

            // security state is elsewhere: a revocation written now reaches the deny-list and the token stops working
            String sid = Tokens.claim(token, "sid");
            security.value(String.class).setex(RevokedSessionKeys.key(sid), 60, "1");
            given().auth().oauth2(token).when().get("/api/cache/" + mine + "/k").then().statusCode(401);
        } finally {
            given().auth().oauth2(admin()).when().delete("/api/cache/" + ns).then().statusCode(204);
        }
        // and the cache works again once flushed
        String fresh = Tokens.user(user, "victim@example.com");
        assertThat(put(fresh, mine, "k3", value(10, 'k'))).isEqualTo(204);
    }
}
