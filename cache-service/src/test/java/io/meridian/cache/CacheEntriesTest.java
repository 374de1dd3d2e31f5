package io.meridian.cache;

import static io.meridian.cache.CacheFixtures.namespace;
import static io.meridian.cache.CacheFixtures.writer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** Entries: stored with their content type, read, expired, deleted, flushed, and many at once. */
@QuarkusTest
class CacheEntriesTest {

    @Test
    void aValueComesBackWithItsContentType() {
        String ns = namespace("entries");
        byte[] png = { (byte) 0x89, 'P', 'N', 'G', 0, 1, 2, (byte) 0xff };
        given().auth().oauth2(writer()).contentType("image/png").body(png)
                .when().put("/api/cache/" + ns + "/logo").then().statusCode(204);
        given().auth().oauth2(writer()).contentType("application/json").body("{\"answer\":42}")
                .when().put("/api/cache/" + ns + "/answer").then().statusCode(204);

        byte[] read = given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/logo")
                .then().statusCode(200).contentType("image/png").extract().asByteArray();
        assertThat(read).isEqualTo(png);
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/answer")
                .then().statusCode(200).contentType("application/json").body("answer", equalTo(42));
    }

    @Test
    void aMissingEntryIsProblemJson404() {
        given().auth().oauth2(writer()).when().get("/api/cache/" + namespace("missing") + "/nothing")
                .then().statusCode(404).contentType("application/problem+json").body("status", equalTo(404));
    }

    @Test
    void anEntryExpiresAtTheRequestedTtl() {
        String ns = namespace("ttl");
        given().auth().oauth2(writer()).body("soon gone").when().put("/api/cache/" + ns + "/short?ttl=1")
                .then().statusCode(204);
        given().auth().oauth2(writer()).body("stays").when().put("/api/cache/" + ns + "/long?ttl=600")
                .then().statusCode(204);
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/short").then().statusCode(200);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> given()
                .auth().oauth2(writer()).when().get("/api/cache/" + ns + "/short").statusCode() == 404);
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/long").then().statusCode(200);
    }

    @Test
    void withoutATtlTheNamespacePolicysDefaultApplies() {
        String ns = namespace("policy-ttl");
        given().auth().oauth2(CacheFixtures.admin()).contentType("application/json")
                .body(Map.of("defaultTtlSeconds", 1, "maxEntries", 0))
                .when().put("/api/cache/" + ns).then().statusCode(200).body("defaultTtlSeconds", equalTo(1));
        given().auth().oauth2(writer()).body("policy ttl").when().put("/api/cache/" + ns + "/k").then().statusCode(204);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> given()
                .auth().oauth2(writer()).when().get("/api/cache/" + ns + "/k").statusCode() == 404);
    }

    @Test
    void deletingAnEntryAndFlushingANamespace() {
        String ns = namespace("delete");
        for (String key : List.of("a", "b", "c")) {
            given().auth().oauth2(writer()).body(key).when().put("/api/cache/" + ns + "/" + key).then().statusCode(204);
        }
        given().auth().oauth2(writer()).when().delete("/api/cache/" + ns + "/a").then().statusCode(204);
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/a").then().statusCode(404);
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/b").then().statusCode(200);

        given().auth().oauth2(writer()).when().delete("/api/cache/" + ns).then().statusCode(204);
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/b").then().statusCode(404);
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/c").then().statusCode(404);
        // deleting what is not there is not an error
        given().auth().oauth2(writer()).when().delete("/api/cache/" + ns + "/a").then().statusCode(204);
    }

    @Test
    void manyKeysAreWrittenAndReadInOneCall() {
        String ns = namespace("bulk");
        byte[] binary = { 0, 1, 2, 3, (byte) 0xfe };
        given().auth().oauth2(writer()).contentType("application/json").body(Map.of("entries", List.of(
                Map.of("key", "greeting", "value", "hello"),
                Map.of("key", "doc", "value", "{\"n\":1}", "contentType", "application/json", "ttlSeconds", 60),
                Map.of("key", "blob", "value", Base64.getEncoder().encodeToString(binary), "encoding", "base64"))))
                .when().post("/api/cache/" + ns + "/bulk-put")
                .then().statusCode(200).body("stored", equalTo(3)).body("evicted", equalTo(0));

        given().auth().oauth2(writer()).contentType("application/json")
                .body(Map.of("keys", List.of("greeting", "nope", "doc", "blob")))
                .when().post("/api/cache/" + ns + "/bulk-get")
                .then().statusCode(200).body("entries", hasSize(4))
                .body("entries[0].found", equalTo(true)).body("entries[0].value", equalTo("hello"))
                .body("entries[0].contentType", equalTo("text/plain"))
                .body("entries[1].key", equalTo("nope")).body("entries[1].found", equalTo(false))
                .body("entries[2].value", equalTo("{\"n\":1}"))
                .body("entries[3].encoding", equalTo("base64"))
                .body("entries[3].value", equalTo(Base64.getEncoder().encodeToString(binary)));
        // each entry is also there on its own
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/doc").then().statusCode(200)
                .contentType("application/json");
    }

    @Test
    void badNamesTtlsAndBulkSizesAre400WithTheField() {
        String ns = namespace("bad");
        given().auth().oauth2(writer()).body("x").when().put("/api/cache/Bad%20Space/key")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("namespace"));
        given().auth().oauth2(writer()).body("x").when().put("/api/cache/" + ns + "/" + "k".repeat(257))
                .then().statusCode(400).body("errors[0].field", equalTo("key"));
        given().auth().oauth2(writer()).body("x").when().put("/api/cache/" + ns + "/k%24%7B%7D")
                .then().statusCode(400).body("errors[0].field", equalTo("key"));
        given().auth().oauth2(writer()).body("x").when().put("/api/cache/" + ns + "/k?ttl=0")
                .then().statusCode(400).body("errors[0].field", equalTo("ttl"));
        given().auth().oauth2(writer()).body("x").when().put("/api/cache/" + ns + "/k?ttl=999999999")
                .then().statusCode(400).body("errors[0].field", equalTo("ttl"));
        given().auth().oauth2(writer()).body("x").when().put("/api/cache/" + ns + "/k?ttl=soon")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("ttl"));
        given().auth().oauth2(writer()).body("x").when().put("/api/cache/stats/k")
                .then().statusCode(400).body("errors[0].field", equalTo("namespace"));
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tooMany.add("k" + i);
        }
        given().auth().oauth2(writer()).contentType("application/json").body(Map.of("keys", tooMany))
                .when().post("/api/cache/" + ns + "/bulk-get").then().statusCode(400).body("errors[0].field", equalTo("keys"));
        given().auth().oauth2(writer()).contentType("application/json")
                .body(Map.of("entries", List.of(Map.of("key", "b", "value", "%%%", "encoding", "base64"))))
                .when().post("/api/cache/" + ns + "/bulk-put")
                .then().statusCode(400).body("errors[0].field", equalTo("entries[0].value"));
        given().auth().oauth2(writer()).contentType("application/json").body("{\"entries\": [{\"key\": \"x\"}]}")
                .when().post("/api/cache/" + ns + "/bulk-put").then().statusCode(400);
        // nothing of the refused writes was stored
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/k").then().statusCode(404);
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/b").then().statusCode(404);
    }

    @Test
    void aValueOverTheBodyLimitIs413() {
        given().auth().oauth2(writer()).body(new byte[2 * 1024 * 1024])
                .when().put("/api/cache/" + namespace("big") + "/k").then().statusCode(413);
    }
}
