package io.meridian.email;

import java.util.List;

import io.meridian.testsupport.ServiceContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class EmailServiceContractTest extends ServiceContract {

    @Override
    protected List<String> readinessChecks() {
        return List.of("Database connections health check", "Kafka connection health check");
    }

    @Override
    protected List<String> tables() {
        return List.of("processed_event");
    }
}
