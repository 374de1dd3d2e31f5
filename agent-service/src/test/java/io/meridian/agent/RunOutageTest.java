package io.meridian.agent;

import static io.meridian.agent.AgentFixtures.agent;
import static io.meridian.agent.AgentFixtures.awaitEnded;
import static io.meridian.agent.AgentFixtures.get;
import static io.meridian.agent.AgentFixtures.runAsync;
import static io.meridian.agent.AgentFixtures.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Accepted runs are never stranded (issue 18, ADR 0016): runs queued or running while PostgreSQL is away end once it
 * is back, without a dead-lettered task, and a run whose task was lost is queued again.
 */
@QuarkusTest
class RunOutageTest {

    private static final String SIX_TIMES_SEVEN = "call calculator {\"expression\": \"6 * 7\"}";

    @InjectInfrastructure
    Infrastructure infra;

    @Test
    void runsQueuedAndRunningWhilePostgresqlIsAwaySucceedOnceItReturns() throws Exception {
        var owner = user();
        String agentId = agent(owner.token(), List.of("calculator"), 5, 60);
        List<String> ids = new ArrayList<>();
        StandIns.primary.delayMillis.set(1_500); // each model call takes 1.5 s: the cut comes in the middle of one
        try {
            for (int i = 0; i < 3; i++) {
                ids.add(runAsync(owner.token(), agentId, SIX_TIMES_SEVEN));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> "RUNNING".equals(get(owner.token(), ids.get(0)).getString("status")));
            infra.postgresProxy().cut();
            try {
                Thread.sleep(6_000);
            } finally {
                infra.postgresProxy().restore();
            }
        } finally {
            StandIns.primary.delayMillis.set(0);
        }
        for (String id : ids) {
            JsonPath run = awaitEnded(owner.token(), id);
            assertThat(run.getString("status")).as("run %s", id).isEqualTo("SUCCEEDED");
            assertThat(run.getString("output")).isEqualTo("Tool said: 42");
        }
        List<ConsumerRecord<String, String>> dead = infra.kafkaClient().readAll("agent.runs.dlq", Duration.ofSeconds(1),
                Duration.ofSeconds(5));
        assertThat(dead).noneMatch(r -> ids.contains(r.key()));
    }

    @Test
    void aRunStillQueuedLongAfterItsTaskIsQueuedAgainAndRuns() throws Exception {
        var owner = user();
        String agentId = agent(owner.token(), List.of("calculator"), 5, 60);
        String template = runAsync(owner.token(), agentId, SIX_TIMES_SEVEN);
        assertThat(awaitEnded(owner.token(), template).getString("status")).isEqualTo("SUCCEEDED");
        // a run whose task never reached the queue, queued an hour ago
        UUID lost = UUID.randomUUID();
        try (Connection connection = infra.database();
                PreparedStatement copy = connection.prepareStatement("""
                        insert into agent_run (id, agent_id, owner_id, owner_email, caller_roles, conversation_id, status,
                                               input, notify, cancel_requested, attempts, input_tokens, output_tokens,
                                               created_at, queued_at)
                        select ?, agent_id, owner_id, owner_email, caller_roles, ?, 'QUEUED', input, false, false, 0, 0, 0,
                               now() - interval '1 hour', now() - interval '1 hour'
                        from agent_run where id = ?""")) {
            copy.setObject(1, lost);
            copy.setObject(2, UUID.randomUUID());
            copy.setObject(3, UUID.fromString(template));
            assertThat(copy.executeUpdate()).isEqualTo(1);
        }
        JsonPath run = awaitEnded(owner.token(), lost.toString());
        assertThat(run.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(run.getInt("attempts")).isEqualTo(1);
    }
}
