package io.meridian.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Dead, slow and Redis-less: the gateway answers fast and keeps the rest of the platform reachable. */
@QuarkusTest
class ResilienceTest {

    /** Metrics are on the management interface, not on the public port. */
    private final String metricsUrl = Management.url("/q/metrics");

    @InjectInfrastructure
    Infrastructure infra;

    private final String token = Tokens.user(UUID.randomUUID(), "resilience@example.com");

    @Test
    void aDeadServiceCostsAFast503AndItsBreakerOpens() {
        List<String> details = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            long started = System.nanoTime();
            Response response = given().auth().oauth2(token).when().get("/api/cache/ns/key-" + i);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
            response.then().statusCode(503).contentType("application/problem+json");
            details.add(response.path("detail"));
        }
        assertThat(details.get(0)).contains("not reachable");
        assertThat(details.get(details.size() - 1)).contains("circuit breaker open");
        given().when().get("/health").then().body("services.cache.breaker", equalTo("OPEN"));
    }

    @Test
    void requestsWhoseConnectionCouldNotBeMadeAreSentToTheNextInstance() {
        // The flaky route's instances, taken in turn: a port where nothing listens, then a live server.
        for (int i = 0; i < 6; i++) {
            given().auth().oauth2(token).when().get("/api/flaky/items/" + i).then().statusCode(200);
            given().auth().oauth2(token).when().delete("/api/flaky/gone/" + i).then().statusCode(200);
        }
        for (int i = 0; i < 6; i++) {
            assertThat(seenByFlaky("/api/flaky/items/" + i)).isEqualTo(1);
            assertThat(seenByFlaky("/api/flaky/gone/" + i)).isEqualTo(1);
        }
        // A failed connect sent nothing, so even a POST is sent again (to the next instance): each arrives once.
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            statuses.add(given().auth().oauth2(token).contentType("application/json").body("{\"n\":" + i + "}")
                    .when().post("/api/flaky/orders").statusCode());
        }
        assertThat(statuses).containsOnly(200);
        assertThat(seenByFlaky("/api/flaky/orders")).isEqualTo(4);
    }

    private static int seenByFlaky(String path) {
        String instances = ConfigProvider.getConfig().getValue("meridian.gateway.routes.flaky.url", String.class);
        String live = instances.substring(instances.indexOf(',') + 1);
        return Integer.parseInt(given().baseUri(live).when().get("/seen?path=" + path).asString());
    }

    @Test
    void aSlowServiceGets504AtTheRoutesTimeout() {
        long started = System.nanoTime();
        given().auth().oauth2(token).when().get("/api/rag/slow")
                .then().statusCode(504).contentType("application/problem+json")
                .body("detail", containsString("1000 ms"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofMillis(2500));
        // The slow call does not trip anything for the next, quick one.
        given().auth().oauth2(token).when().get("/api/rag/collections").then().statusCode(200);
    }

    @Test
    void withRedisDownTrafficKeepsFlowingAndHealthSaysRateLimitingIsDegraded() {
        infra.redisProxy().cut();
        try {
            given().auth().oauth2(token).when().get("/api/rag/collections").then().statusCode(200);
            given().when().get("/.well-known/jwks.json").then().statusCode(200);
            given().when().get("/health").then().body("edge.rateLimiting", equalTo("DEGRADED"));
            String metrics = given().when().get(metricsUrl).asString();
            assertThat(metrics).containsPattern("meridian_gateway_rate_limit_unavailable_total [1-9]");
        } finally {
            infra.redisProxy().restore();
        }
    }
}
