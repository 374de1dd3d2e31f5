package io.meridian.rag;

import io.meridian.testsupport.MeridianTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/**
 * Registers the real infrastructure (Kafka, PostgreSQL schema, Redis, an OpenSearch node, test keys) for every test
 * class, and an in-memory stand-in of cache-service's entry API.
 */
@WithTestResource(value = MeridianTestResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = { @ResourceArg(name = "schemaPrefix", value = "rag"),
                @ResourceArg(name = "uses", value = "kafka,postgres,redis,search") })
@WithTestResource(value = CacheStandIn.class, scope = TestResourceScope.GLOBAL)
final class TestInfrastructure {
}
