package io.meridian.rag;

import java.util.List;

import io.meridian.testsupport.ServiceContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class RagServiceContractTest extends ServiceContract {

    @Override
    protected List<String> readinessChecks() {
        return List.of("Database connections health check", "Kafka connection health check");
    }

    @Override
    protected List<String> tables() {
        return List.of("outbox_event", "processed_event", "collection", "document", "document_part", "chunk");
    }
}
