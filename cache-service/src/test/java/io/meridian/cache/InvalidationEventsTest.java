package io.meridian.cache;

import static io.meridian.cache.CacheFixtures.event;
import static io.meridian.cache.CacheFixtures.namespace;
import static io.meridian.cache.CacheFixtures.writer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.meridian.platform.events.Topics;
import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.meridian.testsupport.KafkaTestClient;
import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/** Entries made stale by events on cache.invalidations, rag.documents and auth.users go, once per event. */
@QuarkusTest
class InvalidationEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectInfrastructure
    Infrastructure infra;

    @Test
    void anInvalidationByKeysDeletesThoseKeys() {
        String ns = namespace("inv-keys");
        put(ns, "a", "b", "c");
        publish(Topics.CACHE_INVALIDATIONS, event("cache.invalidate", Map.of("namespace", ns, "keys", List.of("a", "c"))));

        await().atMost(WAIT).until(() -> status(ns, "a") == 404 && status(ns, "c") == 404);
        assertThat(status(ns, "b")).isEqualTo(200);
    }

    @Test
    void anInvalidationByPrefixDeletesOnlyThoseKeys() {
        String ns = namespace("inv-prefix");
        put(ns, "user-1:a", "user-1:b", "user-2:a", "user-10:a");
        publish(Topics.CACHE_INVALIDATIONS, event("cache.invalidate", Map.of("namespace", ns, "prefix", "user-1:")));

        await().atMost(WAIT).until(() -> status(ns, "user-1:a") == 404 && status(ns, "user-1:b") == 404);
        assertThat(status(ns, "user-2:a")).isEqualTo(200);
        assertThat(status(ns, "user-10:a")).isEqualTo(200);
    }

    @Test
    void theSameEventTwiceIsAppliedOnce() {
        String ns = namespace("inv-once");
        put(ns, "k");
        String id = UUID.randomUUID().toString();
        String invalidation = event(id, "cache.invalidate", Map.of("namespace", ns, "keys", List.of("k")));
        publish(Topics.CACHE_INVALIDATIONS, invalidation);
        await().atMost(WAIT).until(() -> status(ns, "k") == 404);

        put(ns, "k"); // written again after the invalidation: a replay of the old event must not delete it
        publish(Topics.CACHE_INVALIDATIONS, invalidation);
        put(ns, "marker");
        publish(Topics.CACHE_INVALIDATIONS, event("cache.invalidate", Map.of("namespace", ns, "keys", List.of("marker"))));
        await().atMost(WAIT).until(() -> status(ns, "marker") == 404);
        assertThat(status(ns, "k")).isEqualTo(200);
    }

    @Test
    void aChangedOrDeletedDocumentInvalidatesItsOwnersAnswersAboutItsCollection() {
        UUID owner = UUID.randomUUID();
        String token = Tokens.user(owner, "asker@example.com");
        String answers = "user:" + owner;
        String changed = UUID.randomUUID().toString();
        String deleted = UUID.randomUUID().toString();
        String untouched = UUID.randomUUID().toString();
        for (String key : List.of("rag-answer:" + changed + ":q1", "rag-answer:" + changed + ":q2",
                "rag-answer:" + deleted + ":q1", "rag-answer:" + untouched + ":q1", "note-" + changed)) {
            given().auth().oauth2(token).body("v").when().put("/api/cache/" + answers + "/" + key).then().statusCode(204);
        }

        publish(Topics.RAG_DOCUMENTS, event("document.indexed", Map.of("documentId", UUID.randomUUID().toString(),
                "collectionId", changed, "ownerId", owner.toString(), "chunkCount", 3)));
        publish(Topics.RAG_DOCUMENTS, event("document.deleted", Map.of("documentId", UUID.randomUUID().toString(),
                "collectionId", deleted, "ownerId", owner.toString())));
        publish(Topics.RAG_DOCUMENTS, event("document.failed", Map.of("documentId", UUID.randomUUID().toString(),
                "collectionId", untouched, "ownerId", owner.toString(), "error", "bad pdf")));

        await().atMost(WAIT).until(() -> own(token, answers, "rag-answer:" + changed + ":q1") == 404
                && own(token, answers, "rag-answer:" + changed + ":q2") == 404
                && own(token, answers, "rag-answer:" + deleted + ":q1") == 404);
        assertThat(own(token, answers, "rag-answer:" + untouched + ":q1")).isEqualTo(200);
        assertThat(own(token, answers, "note-" + changed)).isEqualTo(200);
    }

    private static int own(String token, String namespace, String key) {
        return given().auth().oauth2(token).when().get("/api/cache/" + namespace + "/" + key).statusCode();
    }

    @Test
    void aDeletedUsersNamespaceIsFlushed() {
        UUID user = UUID.randomUUID();
        String token = Tokens.user(user, "leaving@example.com");
        given().auth().oauth2(token).body("mine").when().put("/api/cache/user:" + user + "/note").then().statusCode(204);
        publish(Topics.AUTH_USERS, event("user.deleted", Map.of("userId", user.toString(), "email", "leaving@example.com")));

        await().atMost(WAIT).until(() -> given().auth().oauth2(token).when().get("/api/cache/user:" + user + "/note")
                .statusCode() == 404);
    }

    @Test
    void anInvalidationThatCanNeverApplyGoesToTheDeadLetterTopicWithItsReason() {
        String ns = namespace("inv-bad");
        String bad = event("cache.invalidate", Map.of("namespace", "Not Valid!", "keys", List.of("a")));
        String empty = event("cache.invalidate", Map.of("namespace", ns));
        publish(Topics.CACHE_INVALIDATIONS, bad);
        publish(Topics.CACHE_INVALIDATIONS, empty);
        // and the next good one is applied
        put(ns, "k");
        publish(Topics.CACHE_INVALIDATIONS, event("cache.invalidate", Map.of("namespace", ns, "keys", List.of("k"))));
        await().atMost(WAIT).until(() -> status(ns, "k") == 404);

        KafkaTestClient kafka = infra.kafkaClient();
        List<ConsumerRecord<String, String>> dead = kafka.readAll(Topics.deadLetter(Topics.CACHE_INVALIDATIONS),
                Duration.ofSeconds(2), WAIT);
        assertThat(dead).anySatisfy(r -> {
            assertThat(r.value()).isEqualTo(bad);
            assertThat(KafkaTestClient.header(r, "dead-letter-reason")).contains("namespace");
        });
        assertThat(dead).anySatisfy(r -> {
            assertThat(r.value()).isEqualTo(empty);
            assertThat(KafkaTestClient.header(r, "dead-letter-reason")).contains("keys or a prefix");
        });
    }

    private void publish(String topic, String event) {
        infra.kafkaClient().publishEvent(topic, UUID.randomUUID().toString(), event);
    }

    private static void put(String ns, String... keys) {
        for (String key : keys) {
            given().auth().oauth2(writer()).body("v").when().put("/api/cache/" + ns + "/" + key).then().statusCode(204);
        }
    }

    private static int status(String ns, String key) {
        return given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/" + key).statusCode();
    }
}
