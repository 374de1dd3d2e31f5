package io.meridian.platform.events;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.meridian.platform.testapp.NoteResource;
import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.meridian.testsupport.KafkaTestClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class OutboxTest {

    @InjectInfrastructure
    Infrastructure infra;
    @Inject
    Outbox outbox;
    @Inject
    OutboxRelay relay;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    ObjectMapper mapper;

    @Test
    void eventIsPublishedAsACloudEventKeyedByItsSubject() throws Exception {
        String noteId = given().contentType(ContentType.JSON).header("X-Request-Id", "req-outbox-1")
                .body("{\"text\": \"first\", \"priority\": 1}")
                .when().post("/notes").then().statusCode(201).extract().path("id");

        ConsumerRecord<String, String> record = await().atMost(Duration.ofSeconds(30))
                .until(() -> find(NoteResource.TOPIC, noteId, Duration.ofMillis(500)), r -> r != null);

        JsonNode event = mapper.readTree(record.value());
        assertThat(event.path("specversion").asText()).isEqualTo("1.0");
        assertThat(event.path("type").asText()).isEqualTo("note.created");
        assertThat(event.path("source").asText()).isEqualTo("/meridian/service-defaults-test");
        assertThat(event.path("subject").asText()).isEqualTo(noteId);
        assertThat(event.path("time").asText()).isNotBlank();
        assertThat(event.path("data").path("text").asText()).isEqualTo("first");
        assertThat(KafkaTestClient.header(record, "X-Request-Id")).isEqualTo("req-outbox-1");
        assertThat(publishedAt(event.path("id").asText())).isTrue();
    }

    @Test
    void anEventCarriesTheTraceOfTheWorkThatWroteIt() throws Exception {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String spanId = traceId.substring(0, 16);
        var span = io.opentelemetry.api.trace.Span.wrap(io.opentelemetry.api.trace.SpanContext.create(traceId, spanId,
                io.opentelemetry.api.trace.TraceFlags.getSampled(), io.opentelemetry.api.trace.TraceState.getDefault()));
        String subject = "traced-" + UUID.randomUUID();
        try (var scope = span.makeCurrent()) {
            QuarkusTransaction.requiringNew().run(() -> outbox.publish(NoteResource.TOPIC, "note.traced", subject, Map.of("n", 1)));
        }
        ConsumerRecord<String, String> record = await().atMost(Duration.ofSeconds(30))
                .until(() -> find(NoteResource.TOPIC, subject, Duration.ofMillis(500)), r -> r != null);
        assertThat(KafkaTestClient.header(record, "traceparent")).isEqualTo("00-" + traceId + "-" + spanId + "-01");
    }

    @Test
    void eventsWaitWhileKafkaIsDownAndArriveOnceEachWhenItReturns() throws Exception {
        List<String> noteIds = new ArrayList<>();
        infra.kafkaProxy().cut();
        try {
            for (int i = 0; i < 5; i++) {
                noteIds.add(given().contentType(ContentType.JSON).body("{\"text\": \"offline " + i + "\", \"priority\": 2}")
                        .when().post("/notes").then().statusCode(201).extract().path("id"));
            }
            // The relay is trying meanwhile; nothing may be marked published while Kafka is away.
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> true);
            for (String id : noteIds) {
                assertThat(pendingForSubject(id)).as("event of note %s still pending", id).isTrue();
            }
        } finally {
            infra.kafkaProxy().restore();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> noteIds.stream().noneMatch(this::pendingForSubject));
        List<ConsumerRecord<String, String>> records = infra.kafkaClient()
                .readAll(NoteResource.TOPIC, Duration.ofSeconds(2), Duration.ofSeconds(30));
        for (String id : noteIds) {
            assertThat(records.stream().filter(r -> id.equals(r.key())).count())
                    .as("records for note %s", id).isEqualTo(1);
        }
    }

    @Test
    void concurrentRelaysNeverPublishARowTwice() throws Exception {
        String topic = "test.relay." + UUID.randomUUID();
        OutboxRelay first = new OutboxRelay(dataSource, new SimpleMeterRegistry(), infra.bootstrapServers(), 10,
                Duration.ofSeconds(1), Duration.ofDays(7), Duration.ofSeconds(1));
        OutboxRelay second = new OutboxRelay(dataSource, new SimpleMeterRegistry(), infra.bootstrapServers(), 10,
                Duration.ofSeconds(1), Duration.ofDays(7), Duration.ofSeconds(1));
        AtomicInteger published = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> loops = new ArrayList<>();
            for (OutboxRelay relay : List.of(first, second)) {
                loops.add(pool.submit(() -> {
                    long until = System.currentTimeMillis() + 20_000;
                    while (System.currentTimeMillis() < until && published.get() < 300) {
                        published.addAndGet(relay.relayPending());
                    }
                }));
            }
            QuarkusTransaction.requiringNew().run(() -> {
                for (int i = 0; i < 300; i++) {
                    outbox.publish(topic, "relay.test", "key-" + (i % 7), Map.of("n", i));
                }
            });
            for (Future<?> loop : loops) {
                loop.get();
            }
        } finally {
            pool.shutdownNow();
            first.close();
            second.close();
        }

        List<ConsumerRecord<String, String>> records = infra.kafkaClient()
                .readAll(topic, Duration.ofSeconds(2), Duration.ofSeconds(60));
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<String, String> record : records) {
            assertThat(ids.add(mapper.readTree(record.value()).path("id").asText()))
                    .as("event published once").isTrue();
        }
        assertThat(ids).hasSize(300);
        assertThat(published.get()).as("the two test relays took part").isPositive();
    }

    private ConsumerRecord<String, String> find(String topic, String key, Duration quiet) {
        return infra.kafkaClient().readAll(topic, quiet, Duration.ofSeconds(10)).stream()
                .filter(r -> key.equals(r.key())).findFirst().orElse(null);
    }

    private boolean publishedAt(String eventId) throws Exception {
        try (Connection connection = infra.database();
                PreparedStatement query = connection.prepareStatement(
                        "select published_at is not null from outbox_event where id = ?::uuid")) {
            query.setString(1, eventId);
            try (ResultSet row = query.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    private boolean pendingForSubject(String subject) {
        try (Connection connection = infra.database();
                PreparedStatement query = connection.prepareStatement(
                        "select count(*) from outbox_event where event_key = ? and published_at is null")) {
            query.setString(1, subject);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1) > 0;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
