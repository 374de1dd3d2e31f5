package io.meridian.testsupport;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

/**
 * What every Meridian service shows from the outside, whatever its domain: health that checks its real
 * dependencies (and turns DOWN without its database), its own schema migrated, Prometheus metrics, an OpenAPI
 * document and problem+json for unknown paths. Each service's test extends it as a {@code @QuarkusTest}.
 */
public abstract class ServiceContract {

    @InjectInfrastructure
    protected Infrastructure infra;

    /** Names of the readiness checks the service must run, for example "Database connections health check". */
    protected abstract List<String> readinessChecks();

    /** Tables its changelog must have created in its schema. */
    protected abstract List<String> tables();

    protected boolean usesDatabase() {
        return true;
    }

    /**
     * Where the service serves its internal endpoints (probes, metrics, OpenAPI): its own port by default; a service
     * with a management interface (the gateway) answers them there only.
     */
    protected String internal(String path) {
        return path;
    }

    /** Whether the service serves its own OpenAPI document at run time (the gateway does not: ADR 0011). */
    protected boolean servesOpenApi() {
        return true;
    }

    @Test
    void livenessIsUp() {
        given().when().get(internal("/q/health/live")).then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void readinessChecksItsRealDependencies() {
        JsonPath health = await().atMost(Duration.ofSeconds(30)).until(
                () -> given().when().get(internal("/q/health/ready")).then().extract().jsonPath(),
                json -> "UP".equals(json.getString("status")));
        List<String> names = health.getList("checks.name");
        assertThat(names).containsAll(readinessChecks());
        assertThat(health.getList("checks.status", String.class)).containsOnly("UP");
    }

    @Test
    void readinessGoesDownWhenTheDatabaseIsUnreachableAndRecovers() {
        if (!usesDatabase()) {
            return;
        }
        infra.postgresProxy().cut();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get(internal("/q/health/ready"))
                    .then().statusCode(503).body("status", equalTo("DOWN")));
            given().when().get(internal("/q/health/live")).then().statusCode(200);
        } finally {
            infra.postgresProxy().restore();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().when().get(internal("/q/health/ready"))
                .then().statusCode(200).body("status", equalTo("UP")));
    }

    @Test
    void changelogCreatedTheServiceTables() throws Exception {
        if (!usesDatabase()) {
            return;
        }
        List<String> found = new ArrayList<>();
        try (Connection connection = infra.database();
                PreparedStatement query = connection.prepareStatement(
                        "select table_name from information_schema.tables where table_schema = ?")) {
            query.setString(1, infra.schema());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    found.add(rows.getString(1));
                }
            }
        }
        assertThat(found).containsAll(tables()).contains("databasechangelog");
    }

    @Test
    void metricsArePrometheusText() {
        given().when().get(internal("/q/metrics")).then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("http_server_requests_seconds"));
    }

    @Test
    void openApiDocumentIsServed() {
        if (!servesOpenApi()) {
            given().when().get("/q/openapi").then().statusCode(404);
            return;
        }
        given().queryParam("format", "json").when().get(internal("/q/openapi")).then().statusCode(200)
                .body("openapi", notNullValue());
    }

    @Test
    void unknownPathAnswersProblemJson() {
        given().header("X-Request-Id", "contract-404").when().get("/definitely/not/here")
                .then().statusCode(404).contentType("application/problem+json")
                .header("X-Request-Id", "contract-404")
                .body("status", equalTo(404)).body("requestId", equalTo("contract-404"));
    }
}
