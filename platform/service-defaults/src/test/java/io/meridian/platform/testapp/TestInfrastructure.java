package io.meridian.platform.testapp;

import io.meridian.testsupport.MeridianTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** Registers the real infrastructure for every test class of this module. */
@WithTestResource(value = MeridianTestResource.class, scope = TestResourceScope.GLOBAL)
public final class TestInfrastructure {
}
