package io.meridian.gateway;

import static io.restassured.RestAssured.given;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * What the ingress routes (the public port) has no internal endpoint: probes and metrics answer only on the management
 * interface, which Kubernetes probes and Prometheus use; the gateway's own OpenAPI document is not served (it is in
 * docs/api/gateway), the platform's merged one is, at /openapi.
 */
@QuarkusTest
class InternalEndpointsTest {


    @Test
    void probesMetricsAndTheGatewaysOwnDocumentAreNotOnThePublicPort() {
        for (String internal : new String[] { "/q/metrics", "/q/health", "/q/health/ready", "/q/health/live",
                "/q/health/started", "/q/openapi", "/q/metrics/json" }) {
            given().when().get(internal).then().statusCode(404);
        }
        given().when().get(Management.url("/q/health/ready")).then().statusCode(200);
        given().when().get(Management.url("/q/metrics")).then().statusCode(200);
        // What the public port is for stays there: the platform's status and contract.
        given().when().get("/health").then().statusCode(org.hamcrest.Matchers.anyOf(
                org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(503)));
        given().when().get("/openapi").then().statusCode(200);
        given().when().get("/swagger-ui/").then().statusCode(200);
    }
}
