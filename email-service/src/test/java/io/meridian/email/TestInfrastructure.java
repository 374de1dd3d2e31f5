package io.meridian.email;

import io.meridian.testsupport.MeridianTestResource;
import io.meridian.testsupport.SmtpTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** Registers the real infrastructure (Kafka, PostgreSQL schema, Redis, test keys) for every test class. */
@WithTestResource(value = MeridianTestResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "schemaPrefix", value = "email"))
@WithTestResource(value = SmtpTestResource.class, scope = TestResourceScope.GLOBAL)
final class TestInfrastructure {
}
