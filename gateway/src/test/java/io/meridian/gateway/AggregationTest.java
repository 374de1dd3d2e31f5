package io.meridian.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** One place for operators: the merged OpenAPI document, every service's settings, and traffic analytics. */
@QuarkusTest
class AggregationTest {

    private final String admin = Tokens.admin(UUID.randomUUID(), "ops@example.com");

    @Test
    void openApiMergesEveryServicesPathsTaggedBySchemasKeptApart() {
        JsonPath document = given().when().get("/openapi").then().statusCode(200).extract().jsonPath();
        assertThat(document.getMap("paths")).containsOnlyKeys("/api/auth/me", "/api/rag/collections");
        assertThat(document.getList("paths.'/api/auth/me'.get.tags")).containsExactly("auth");
        assertThat(document.getList("paths.'/api/rag/collections'.get.tags")).containsExactly("rag");
        assertThat(document.getString("paths.'/api/rag/collections'.get.responses.'200'.content.'application/json'.schema.'$ref'"))
                .isEqualTo("#/components/schemas/rag_User");
        assertThat(document.getMap("components.schemas")).containsKeys("User", "rag_User");
        assertThat(document.getList("x-meridian-missing")).containsExactly("agent", "cache", "closing", "email", "flaky", "slowpoke");
    }

    @Test
    void swaggerUiIsServedAtTheRoot() {
        given().when().get("/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }

    @Test
    void adminConfigGathersEveryServiceAndTheGatewaysOwn() {
        given().auth().oauth2(admin).when().get("/api/admin/config").then().statusCode(200)
                .body("gateway.value.'quarkus.application.name'", equalTo("gateway"))
                .body("gateway.value.'meridian.gateway.routes.rag.timeout'", equalTo("1s"))
                .body("auth.value.path", equalTo("/admin/config"))
                .body("auth.value.headers.authorization", equalTo("Bearer " + admin))
                .body("agent.error", notNullValue());
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "u@example.com")).when().get("/api/admin/config")
                .then().statusCode(403);
        given().when().get("/api/admin/analytics").then().statusCode(401);
    }

    @Test
    void analyticsSummariseTrafficPerServiceAndRouteClass() {
        String user = Tokens.user(UUID.randomUUID(), "traffic@example.com");
        for (int i = 0; i < 5; i++) {
            given().auth().oauth2(user).when().get("/api/rag/collections").then().statusCode(200);
        }
        JsonPath analytics = given().auth().oauth2(admin).when().get("/api/admin/analytics").then().statusCode(200)
                .body("traffic.service", hasItems("rag")).extract().jsonPath();
        List<Map<String, Object>> rag = analytics.getList("traffic.findAll { it.service == 'rag' && it.routeClass == 'protected' }");
        assertThat(rag).hasSize(1);
        assertThat(((Number) rag.get(0).get("requests")).longValue()).isGreaterThanOrEqualTo(5);
        assertThat(((Number) rag.get(0).get("p95Ms")).doubleValue()).isPositive();
        assertThat(analytics.getMap("services")).containsKeys("auth", "rag").doesNotContainKeys("agent");
    }
}
