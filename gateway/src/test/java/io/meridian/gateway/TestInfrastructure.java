package io.meridian.gateway;

import io.meridian.testsupport.MeridianTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** The gateway keeps no data and publishes nothing: its tests need the real Redis and the stand-in upstreams. */
@WithTestResource(value = MeridianTestResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "uses", value = "redis,jwks"))
@WithTestResource(value = UpstreamServices.class, scope = TestResourceScope.GLOBAL)
final class TestInfrastructure {
}
