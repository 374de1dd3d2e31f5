package io.meridian.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.meridian.testsupport.KafkaTestClient;
import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class EventConsumerTest {

    private static final String TOPIC = "test.tallies";

    @InjectInfrastructure
    Infrastructure infra;
    @Inject
    ObjectMapper mapper;

    @Test
    void sameEventDeliveredTwiceIsAppliedOnce() throws Exception {
        String tally = "twice-" + UUID.randomUUID();
        String event = increment(tally, 0);
        infra.kafkaClient().send(TOPIC, tally, event, Map.of());
        infra.kafkaClient().send(TOPIC, tally, event, Map.of());
        String marker = "marker-" + UUID.randomUUID();
        infra.kafkaClient().send(TOPIC, tally, increment(marker, 0), Map.of());

        await().atMost(Duration.ofSeconds(30)).until(() -> count(marker) == 1);
        assertThat(count(tally)).isEqualTo(1);
    }

    @Test
    void transientFailuresAreRetriedAndAppliedOnce() throws Exception {
        String tally = "flaky-" + UUID.randomUUID();
        infra.kafkaClient().send(TOPIC, tally, increment(tally, 2), Map.of());

        await().atMost(Duration.ofSeconds(30)).until(() -> count(tally) == 1);
    }

    @Test
    void anUnavailableDependencyIsWaitedOutPastTheRetryLimitAndNeverDeadLettered() throws Exception {
        String tally = "away-" + UUID.randomUUID();
        // eight failures where any other kind gives up after three
        infra.kafkaClient().send(TOPIC, tally, increment(tally, 0, 8), Map.of());

        await().atMost(Duration.ofSeconds(30)).until(() -> count(tally) == 1);
        assertThat(infra.kafkaClient().readAll(TOPIC + ".dlq", Duration.ofSeconds(1), Duration.ofSeconds(5)))
                .noneMatch(r -> tally.equals(r.key()));
    }

    @Test
    void eventsConsumedWhilePostgresqlIsAwayAreAppliedOnceWhenItReturns() throws Exception {
        List<String> tallies = new java.util.ArrayList<>();
        infra.postgresProxy().cut();
        try {
            for (int i = 0; i < 5; i++) {
                String tally = "outage-" + i + "-" + UUID.randomUUID();
                tallies.add(tally);
                infra.kafkaClient().send(TOPIC, tally, increment(tally, 0), Map.of());
            }
            Thread.sleep(8_000); // well past three retries 0.05 s apart
        } finally {
            infra.postgresProxy().restore();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> tallies.stream().allMatch(t -> countQuietly(t) == 1));
        List<ConsumerRecord<String, String>> dead = infra.kafkaClient().readAll(TOPIC + ".dlq", Duration.ofSeconds(1),
                Duration.ofSeconds(5));
        assertThat(dead).noneMatch(r -> tallies.contains(r.key()));
    }

    @Test
    void anAdminReDrivesDeadLettersToTheirTopicAndTheEventIsAppliedOnce() throws Exception {
        String tally = "redriven-" + UUID.randomUUID();
        // fails its first delivery's four tries, then succeeds on the second try of its re-drive
        infra.kafkaClient().send(TOPIC, tally, increment(tally, 5), Map.of("X-Request-Id", "req-redriven"));
        await().atMost(Duration.ofSeconds(30)).until(() -> infra.kafkaClient()
                .readAll(TOPIC + ".dlq", Duration.ofSeconds(1), Duration.ofSeconds(5)).stream()
                .anyMatch(r -> tally.equals(r.key())));
        assertThat(count(tally)).isZero();
        String admin = Tokens.admin(UUID.randomUUID(), "ops@example.com");
        given().auth().oauth2(admin).when().get("/admin/dead-letters").then().statusCode(200)
                .body("find { it.topic == 'test.tallies.dlq' }.waiting", greaterThan(0));
        given().when().post("/admin/dead-letters/redrive").then().statusCode(401);
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "u@example.com")).when()
                .post("/admin/dead-letters/redrive").then().statusCode(403);
        given().auth().oauth2(admin).queryParam("topic", "auth.users.dlq").when().post("/admin/dead-letters/redrive")
                .then().statusCode(404).contentType("application/problem+json");

        given().auth().oauth2(admin).queryParam("topic", TOPIC + ".dlq").when().post("/admin/dead-letters/redrive")
                .then().statusCode(200).body("[0].topic", equalTo(TOPIC + ".dlq")).body("[0].records", greaterThan(0))
                .body("[0].waiting", equalTo(0));
        await().atMost(Duration.ofSeconds(30)).until(() -> count(tally) == 1);
        // the re-driven record kept its key and headers and says where it came from
        ConsumerRecord<String, String> again = infra.kafkaClient().readAll(TOPIC, Duration.ofSeconds(1),
                Duration.ofSeconds(5)).stream().filter(r -> tally.equals(r.key())
                        && KafkaTestClient.header(r, "meridian-redriven-from") != null).findFirst().orElseThrow();
        assertThat(KafkaTestClient.header(again, "X-Request-Id")).isEqualTo("req-redriven");
        assertThat(KafkaTestClient.header(again, "dead-letter-reason")).isNull();
        // a second re-drive finds nothing of it to send again, and the event stays applied once
        given().auth().oauth2(admin).queryParam("topic", TOPIC + ".dlq").when().post("/admin/dead-letters/redrive")
                .then().statusCode(200);
        Thread.sleep(1_000);
        assertThat(count(tally)).isEqualTo(1);
    }

    @Test
    void consumerLogsUnderTheRequestIdOfTheRecord() throws Exception {
        String tally = "traced-" + UUID.randomUUID();
        infra.kafkaClient().send(TOPIC, tally, increment(tally, 0), Map.of("X-Request-Id", "req-from-kafka"));

        await().atMost(Duration.ofSeconds(30)).until(() -> count(tally) == 1);
        try (Connection connection = infra.database();
                PreparedStatement query = connection.prepareStatement("select request_id from tally where name = ?")) {
            query.setString(1, tally);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                assertThat(row.getString(1)).isEqualTo("req-from-kafka");
            }
        }
    }

    @Test
    void poisonEventGoesToTheDeadLetterTopicAndLaterEventsStillFlow() throws Exception {
        String poisonKey = "poison-" + UUID.randomUUID();
        infra.kafkaClient().send(TOPIC, poisonKey, "this is { not json", Map.of("X-Request-Id", "req-poison"));
        String failing = "failing-" + UUID.randomUUID();
        infra.kafkaClient().send(TOPIC, failing, increment(failing, 99), Map.of());
        String after = "after-" + UUID.randomUUID();
        infra.kafkaClient().send(TOPIC, after, increment(after, 0), Map.of());

        await().atMost(Duration.ofSeconds(30)).until(() -> count(after) == 1);
        List<ConsumerRecord<String, String>> dead = await().atMost(Duration.ofSeconds(30)).until(
                () -> infra.kafkaClient().readAll(TOPIC + ".dlq", Duration.ofSeconds(1), Duration.ofSeconds(10)),
                records -> records.stream().anyMatch(r -> poisonKey.equals(r.key()))
                        && records.stream().anyMatch(r -> failing.equals(r.key())));

        ConsumerRecord<String, String> poison = dead.stream().filter(r -> poisonKey.equals(r.key())).findFirst().orElseThrow();
        assertThat(poison.value()).isEqualTo("this is { not json");
        assertThat(KafkaTestClient.header(poison, "dead-letter-reason")).contains("not a JSON event");
        ConsumerRecord<String, String> exhausted = dead.stream().filter(r -> failing.equals(r.key())).findFirst().orElseThrow();
        assertThat(KafkaTestClient.header(exhausted, "dead-letter-reason")).contains("tally store busy");
        assertThat(count(failing)).isZero();
    }

    private String increment(String tally, int failTimes) throws Exception {
        return increment(tally, failTimes, 0);
    }

    private String increment(String tally, int failTimes, int unavailableTimes) throws Exception {
        EventEnvelope event = new EventEnvelope("1.0", UUID.randomUUID().toString(), "/test", "tally.increment",
                Instant.now(), tally, "application/json",
                mapper.valueToTree(Map.of("name", tally, "failTimes", failTimes, "unavailableTimes", unavailableTimes)));
        return mapper.writeValueAsString(event);
    }

    private int countQuietly(String tally) {
        try {
            return count(tally);
        } catch (Exception e) {
            return -1;
        }
    }

    private int count(String tally) throws Exception {
        try (Connection connection = infra.database();
                PreparedStatement query = connection.prepareStatement("select count from tally where name = ?")) {
            query.setString(1, tally);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getInt(1) : 0;
            }
        }
    }
}
