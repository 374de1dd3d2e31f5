package io.meridian.gateway;

import java.util.List;

import io.meridian.testsupport.ServiceContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class GatewayContractTest extends ServiceContract {

    @Override
    protected List<String> readinessChecks() {
        return List.of("Gateway routes");
    }

    @Override
    protected List<String> tables() {
        return List.of();
    }

    @Override
    protected boolean usesDatabase() {
        return false;
    }

    @Override
    protected String internal(String path) {
        return Management.url(path);
    }

    @Override
    protected boolean servesOpenApi() {
        return false;
    }
}
