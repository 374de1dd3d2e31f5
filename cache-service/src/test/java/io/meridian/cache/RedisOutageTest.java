package io.meridian.cache;

import static io.meridian.cache.CacheFixtures.namespace;
import static io.meridian.cache.CacheFixtures.writer;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.quarkus.test.junit.QuarkusTest;

/** Redis down: readiness says so, requests get a quick 503 problem, and the service recovers by itself. */
@QuarkusTest
class RedisOutageTest {

    @InjectInfrastructure
    Infrastructure infra;

    @Test
    void withRedisDownRequestsGet503AndTheServiceRecoversWhenItReturns() {
        String ns = namespace("outage");
        given().auth().oauth2(writer()).body("before").when().put("/api/cache/" + ns + "/k").then().statusCode(204);

        infra.cacheRedisProxy().cut();
        try {
            given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/k")
                    .then().statusCode(503).contentType("application/problem+json")
                    .body("detail", containsString("cache store"));
            given().auth().oauth2(writer()).body("during").when().put("/api/cache/" + ns + "/k2")
                    .then().statusCode(503).contentType("application/problem+json");
            given().when().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'cache-store' }.status", equalTo("DOWN"));
            // liveness is not Redis' business: the pod must not be restarted for it
            given().when().get("/q/health/live").then().statusCode(200);
        } finally {
            infra.cacheRedisProxy().restore();
        }

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> given()
                .auth().oauth2(writer()).when().get("/api/cache/" + ns + "/k").statusCode() == 200);
        given().auth().oauth2(writer()).when().get("/api/cache/" + ns + "/k").then().body(equalTo("before"));
        given().auth().oauth2(writer()).body("after").when().put("/api/cache/" + ns + "/k2").then().statusCode(204);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().when().get("/q/health/ready").statusCode() == 200);
    }
}
