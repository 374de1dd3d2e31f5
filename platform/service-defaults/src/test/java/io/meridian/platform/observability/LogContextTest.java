package io.meridian.platform.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/** Log lines about a request carry its request id and, once its token is verified, the caller's id. */
@QuarkusTest
class LogContextTest {

    @Test
    void anAuthenticatedRequestsLogLinesCarryTheCallersIdAndTheRequestId() {
        UUID user = UUID.randomUUID();
        given().auth().oauth2(Tokens.user(user, "logs@example.com")).header("X-Request-Id", "log-ctx-1")
                .when().get("/notes/log-context")
                .then().statusCode(200).body("userId", equalTo(user.toString())).body("requestId", equalTo("log-ctx-1"));
    }

    @Test
    void tracingIsOnExactlyWhenAnOtlpEndpointIsSet() {
        assertThat(new TracingSwitch(null).getValue("quarkus.otel.sdk.disabled")).isEqualTo("true");
        assertThat(new TracingSwitch(" ").getValue("quarkus.otel.sdk.disabled")).isEqualTo("true");
        assertThat(new TracingSwitch("http://collector:4317").getValue("quarkus.otel.sdk.disabled")).isEqualTo("false");
        assertThat(new TracingSwitch(null).getOrdinal()).isBetween(251, 299); // above application.properties, below the environment
    }
}
