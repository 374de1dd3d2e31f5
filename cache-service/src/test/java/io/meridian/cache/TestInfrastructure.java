package io.meridian.cache;

import java.util.Map;
import java.util.UUID;

import io.meridian.testsupport.MeridianTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/**
 * Registers the real infrastructure (Kafka, PostgreSQL schema, Redis, test keys) for every test class, and a Redis key
 * prefix of this run's own: the tests share the machine's Redis with other runs.
 */
@WithTestResource(value = MeridianTestResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = { @ResourceArg(name = "schemaPrefix", value = "cache"),
                @ResourceArg(name = "uses", value = "kafka,postgres,redis,cache-redis") })
@WithTestResource(value = TestInfrastructure.KeyPrefix.class, scope = TestResourceScope.GLOBAL)
final class TestInfrastructure {

    public static class KeyPrefix implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            return Map.of("meridian.cache.key-prefix", "mc-test:" + UUID.randomUUID() + ":",
                    "meridian.cache.metrics-refresh", "1s");
        }

        @Override
        public void stop() {
        }
    }
}
