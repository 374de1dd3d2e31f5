package io.meridian.agent;

import static io.meridian.agent.AgentFixtures.agent;
import static io.meridian.agent.AgentFixtures.run;
import static io.meridian.agent.AgentFixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.platform.events.EventEnvelope;
import io.meridian.platform.events.Topics;
import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.meridian.testsupport.KafkaTestClient;
import io.quarkus.test.junit.QuarkusTest;

/** Events agent-service consumes besides its run queue: a deleted user's data goes; poison records go to the DLQ. */
@QuarkusTest
class EventsTest {

    @InjectInfrastructure
    Infrastructure infra;

    @Test
    void aDeletedUsersAgentsRunsStepsAndConversationsAreDeleted() throws Exception {
        var gone = user();
        var stays = user();
        String goneAgent = agent(gone.token(), List.of("calculator"), 3, 30);
        String runId = run(gone.token(), goneAgent, "call calculator {\"expression\": \"1 + 1\"}").getString("id");
        String staysAgent = agent(stays.token(), List.of(), 3, 30);
        run(stays.token(), staysAgent, "hello");

        String event = new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules().writeValueAsString(
                new EventEnvelope("1.0", UUID.randomUUID().toString(), "/meridian/auth-service", "user.deleted",
                        Instant.now(), gone.id().toString(), "application/json",
                        ModelStandIn.JSON.valueToTree(Map.of("userId", gone.id().toString()))));
        infra.kafkaClient().publishEvent(Topics.AUTH_USERS, gone.id().toString(), event);

        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from agent where owner_id = ?", gone.id()) == 0);
        assertThat(count("select count(*) from agent_run where owner_id = ?", gone.id())).isZero();
        assertThat(count("select count(*) from run_step where run_id = ?", UUID.fromString(runId))).isZero();
        assertThat(count("select count(*) from conversation_message where owner_id = ?", gone.id())).isZero();
        assertThat(count("select count(*) from agent where owner_id = ?", stays.id())).isEqualTo(1);
        assertThat(count("select count(*) from conversation_message where owner_id = ?", stays.id())).isEqualTo(2);
        given().auth().oauth2(stays.token()).when().get("/api/agents/" + staysAgent).then().statusCode(200);
    }

    @Test
    void aRunTaskThatIsNotAnEventGoesToTheDeadLetterTopicWithItsReason() {
        String key = "poison-" + UUID.randomUUID();
        infra.kafkaClient().send(Topics.AGENT_RUNS, key, "this is not an event", Map.of());
        String bad = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"/x\",\"type\":\"run.requested\","
                + "\"data\":{\"runId\":\"not-a-uuid\"}}";
        infra.kafkaClient().send(Topics.AGENT_RUNS, key, bad, Map.of());
        var dead = await().atMost(Duration.ofSeconds(30)).until(() -> infra.kafkaClient()
                .readAll(Topics.deadLetter(Topics.AGENT_RUNS), Duration.ofMillis(500), Duration.ofSeconds(5)).stream()
                .filter(r -> key.equals(r.key())).toList(), found -> found.size() == 2);
        assertThat(KafkaTestClient.header(dead.get(0), "dead-letter-reason")).contains("not a JSON event");
        assertThat(KafkaTestClient.header(dead.get(1), "dead-letter-reason")).contains("runId is not a UUID");
    }

    private long count(String sql, UUID id) throws Exception {
        try (Connection db = infra.database(); PreparedStatement query = db.prepareStatement(sql)) {
            query.setObject(1, id);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
