package io.meridian.cache;

import java.util.List;

import io.meridian.testsupport.ServiceContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class CacheServiceContractTest extends ServiceContract {

    @Override
    protected List<String> readinessChecks() {
        return List.of("Database connections health check", "Kafka connection health check", "Redis connection health check",
                "cache-store");
    }

    @Override
    protected List<String> tables() {
        return List.of("processed_event", "namespace_policy");
    }
}
