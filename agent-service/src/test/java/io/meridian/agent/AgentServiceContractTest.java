package io.meridian.agent;

import java.util.List;

import io.meridian.testsupport.ServiceContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class AgentServiceContractTest extends ServiceContract {

    @Override
    protected List<String> readinessChecks() {
        return List.of("Database connections health check", "Kafka connection health check");
    }

    @Override
    protected List<String> tables() {
        return List.of("outbox_event", "processed_event", "agent", "agent_run", "run_step", "conversation_message");
    }
}
