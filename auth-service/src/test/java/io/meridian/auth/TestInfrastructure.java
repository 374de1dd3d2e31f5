package io.meridian.auth;

import io.meridian.testsupport.MeridianTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** Registers the real infrastructure (Kafka, PostgreSQL schema, Redis, test keys) for every test class. */
@WithTestResource(value = MeridianTestResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "schemaPrefix", value = "auth"))
@WithTestResource(value = StandInOidcProvider.class, scope = TestResourceScope.GLOBAL)
final class TestInfrastructure {
}
