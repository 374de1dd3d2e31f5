package io.meridian.agent;

import static io.meridian.agent.AgentFixtures.agent;
import static io.meridian.agent.AgentFixtures.awaitEnded;
import static io.meridian.agent.AgentFixtures.runAsync;
import static io.meridian.agent.AgentFixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.meridian.agent.domain.Agent;
import io.meridian.agent.messaging.RunQueue;
import io.meridian.agent.service.RunService;
import io.meridian.agent.tool.Caller;
import io.meridian.platform.events.Topics;
import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Runs queued on Kafka: executed by a worker, once however many see them; cancelled; rescued when a worker dies. */
@QuarkusTest
class AsyncRunTest {

    @InjectInfrastructure
    Infrastructure infra;
    @Inject
    RunQueue queue;
    @Inject
    RunService runs;

    @Test
    void anAsyncRunIsQueuedOnKafkaAndCompletedByAWorker() throws Exception {
        var owner = user();
        String agentId = agent(owner.token(), List.of("calculator"), 5, 30);
        var response = given().auth().oauth2(owner.token()).contentType("application/json")
                .body(Map.of("input", "call calculator {\"expression\": \"6 * 7\"}", "async", true, "notify", true))
                .when().post("/api/agents/" + agentId + "/runs")
                .then().statusCode(202).body("status", equalTo("QUEUED")).extract();
        String runId = response.path("id");
        assertThat(response.header("Location")).endsWith("/api/agents/runs/" + runId);

        JsonPath run = awaitEnded(owner.token(), runId);
        assertThat(run.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(run.getString("output")).isEqualTo("Tool said: 42");
        assertThat(run.getInt("attempts")).isEqualTo(1);

        List<JsonNode> events = await().atMost(Duration.ofSeconds(20)).until(() -> events(runId), found -> found.size() >= 2);
        assertThat(events).extracting(e -> e.path("type").asText()).containsExactly("run.requested", "run.completed");
        JsonNode completed = events.get(1).path("data");
        assertThat(completed.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(completed.path("notify").asBoolean()).isTrue();
        assertThat(completed.path("email").asText()).isEqualTo(owner.email());
        assertThat(completed.path("agentName").asText()).isEqualTo("Helper");
    }

    @Test
    void aRunIsExecutedOnceEvenWithTwoMoreWorkersOnTheSameTasks() throws Exception {
        var owner = user();
        String agentId = agent(owner.token(), List.of("calculator"), 5, 30);
        String batch = UUID.randomUUID().toString().substring(0, 8);
        StandIns.primary.delayMillis.set(50);
        List<String> runIds = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                runIds.add(runAsync(owner.token(), agentId, "call calculator {\"expression\": \"" + i + " + 0\"} " + batch));
            }
            // Two more workers take every task record of the batch at once, beside the service's own consumer.
            List<ConsumerRecord<String, String>> tasks = await().atMost(Duration.ofSeconds(30)).until(
                    () -> infra.kafkaClient().readAll(Topics.AGENT_RUNS, Duration.ofMillis(500), Duration.ofSeconds(10))
                            .stream().filter(r -> runIds.contains(r.key()) && r.value().contains("run.requested")).toList(),
                    found -> found.size() == runIds.size());
            ExecutorService workers = Executors.newFixedThreadPool(2);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                done.add(workers.submit(() -> {
                    go.await();
                    tasks.forEach(queue::onRunRequested);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
            workers.shutdown();
        } finally {
            StandIns.primary.delayMillis.set(0);
        }
        for (int i = 0; i < runIds.size(); i++) {
            JsonPath run = awaitEnded(owner.token(), runIds.get(i));
            assertThat(run.getString("status")).isEqualTo("SUCCEEDED");
            assertThat(run.getString("output")).isEqualTo("Tool said: " + i);
            assertThat(run.getInt("attempts")).isEqualTo(1);
            assertThat(run.getList("steps")).hasSize(3);
        }
        // The model saw each run's first turn once: nobody executed a run twice.
        for (int i = 0; i < runIds.size(); i++) {
            String input = "\"" + i + " + 0\"} " + batch;
            assertThat(StandIns.primary.requestsFor(input)).as("model calls of run %d", i).hasSize(2);
        }
        Set<String> completedOnce = new java.util.HashSet<>();
        for (String runId : runIds) {
            assertThat(events(runId).stream().filter(e -> e.path("type").asText().equals("run.completed")).count())
                    .isEqualTo(1);
            completedOnce.add(runId);
        }
        assertThat(completedOnce).hasSize(runIds.size());
    }

    @Test
    void aRunningRunIsCancelledBetweenSteps() {
        var owner = user();
        String agentId = agent(owner.token(), List.of("current_time"), 50, 60);
        String runId = runAsync(owner.token(), agentId, "slow loop " + UUID.randomUUID());
        await().atMost(Duration.ofSeconds(30)).until(() -> AgentFixtures.get(owner.token(), runId).getList("steps").size() >= 2);
        given().auth().oauth2(owner.token()).when().post("/api/agents/runs/" + runId + "/cancel").then().statusCode(202);
        JsonPath run = awaitEnded(owner.token(), runId);
        assertThat(run.getString("status")).isEqualTo("CANCELLED");
        int steps = run.getList("steps").size();
        assertThat(steps).isLessThan(50);
        given().auth().oauth2(owner.token()).when().post("/api/agents/runs/" + runId + "/cancel").then().statusCode(409);
        given().auth().oauth2(user().token()).when().post("/api/agents/runs/" + runId + "/cancel").then().statusCode(404);
    }

    @Test
    void aQueuedRunIsCancelledAtOnceAndItsTaskIsThenIgnored() throws Exception {
        var owner = user();
        Agent agent = agentEntity(owner, List.of());
        UUID runId = UUID.randomUUID();
        String input = "never run " + runId;
        try (Connection db = infra.database(); PreparedStatement queued = db.prepareStatement("""
                insert into agent_run (id, agent_id, owner_id, conversation_id, status, input, created_at)
                values (?, ?, ?, ?, 'QUEUED', ?, now())""")) {
            queued.setObject(1, runId);
            queued.setObject(2, agent.id);
            queued.setObject(3, owner.id());
            queued.setObject(4, UUID.randomUUID());
            queued.setString(5, input);
            queued.executeUpdate();
        }
        given().auth().oauth2(owner.token()).when().post("/api/agents/runs/" + runId + "/cancel")
                .then().statusCode(202).body("status", equalTo("CANCELLED"));
        // Its task, delivered afterwards, finds the run cancelled and leaves it.
        String task = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"/meridian/agent-service\","
                + "\"type\":\"run.requested\",\"subject\":\"" + runId + "\",\"data\":{\"runId\":\"" + runId + "\"}}";
        queue.onRunRequested(new ConsumerRecord<>(Topics.AGENT_RUNS, 0, 0L, runId.toString(), task));
        assertThat(AgentFixtures.get(owner.token(), runId.toString()).getString("status")).isEqualTo("CANCELLED");
        assertThat(StandIns.primary.requestsFor(input)).isEmpty();
    }

    @Test
    void aRunLeftRunningByADeadWorkerIsRetriedOrFailedNeverLeftRunning() throws Exception {
        var owner = user();
        Agent agent = agentEntity(owner, List.of("calculator"));
        // Two runs held by a worker that died mid-run (no sign of life for minutes): one with an attempt left, one without.
        UUID retried = runs.create(agent, caller(owner), "call calculator {\"expression\": \"1 + 1\"} retried", null, false,
                false, "dead-worker").id;
        runs.recordStep(retried, 1, 0, new RunService.NewStep("model", null, "ok", null, "Calls calculator", 5, 1, 1));
        UUID exhausted = runs.create(agent, caller(owner), "exhausted", null, false, false, "dead-worker").id;
        try (Connection db = infra.database(); PreparedStatement stale = db.prepareStatement(
                "update agent_run set heartbeat_at = now() - interval '10 minutes', attempts = case when id = ? then 2 else 1 end where id in (?, ?)")) {
            stale.setObject(1, exhausted);
            stale.setObject(2, retried);
            stale.setObject(3, exhausted);
            stale.executeUpdate();
        }
        JsonPath done = awaitEnded(owner.token(), retried.toString());
        assertThat(done.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(done.getInt("attempts")).isEqualTo(2);
        assertThat(done.getList("steps.attempt")).containsExactly(1, 2, 2, 2);
        assertThat(done.getString("output")).isEqualTo("Tool said: 2");

        JsonPath failed = awaitEnded(owner.token(), exhausted.toString());
        assertThat(failed.getString("status")).isEqualTo("FAILED");
        assertThat(failed.getString("error")).contains("worker executing the run stopped");
        try (Connection db = infra.database(); PreparedStatement running = db.prepareStatement(
                "select count(*) from agent_run where id in (?, ?) and (status = 'RUNNING' or caller_token is not null)")) {
            running.setObject(1, retried);
            running.setObject(2, exhausted);
            try (ResultSet rows = running.executeQuery()) {
                rows.next();
                assertThat(rows.getInt(1)).isZero();
            }
        }
    }

    private static Agent agentEntity(AgentFixtures.User owner, List<String> tools) {
        String id = agent(owner.token(), tools, 5, 5);
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> Agent.<Agent>findById(UUID.fromString(id)));
    }

    private static Caller caller(AgentFixtures.User owner) {
        return new Caller(owner.id(), owner.email(), Set.of("user"), Set.of(), owner.token());
    }

    private List<JsonNode> events(String runId) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (var record : infra.kafkaClient().readAll(Topics.AGENT_RUNS, Duration.ofMillis(500), Duration.ofSeconds(10))) {
            if (runId.equals(record.key())) {
                events.add(ModelStandIn.JSON.readTree(record.value()));
            }
        }
        return events;
    }
}
