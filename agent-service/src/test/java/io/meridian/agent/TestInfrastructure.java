package io.meridian.agent;

import io.meridian.testsupport.MeridianTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/**
 * Registers the real infrastructure (Kafka, PostgreSQL schema, Redis, test keys) and the stand-in models and
 * rag-service for every test class.
 */
@WithTestResource(value = MeridianTestResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "schemaPrefix", value = "agent"))
@WithTestResource(value = StandIns.class, scope = TestResourceScope.GLOBAL)
final class TestInfrastructure {
}
