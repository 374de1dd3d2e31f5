package io.meridian.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import io.restassured.path.json.JsonPath;

/** What the journeys wait for, with Awaitility: a document indexed, a run ended. */
final class Waits {

    private Waits() {
    }

    /** The document's status once it is no longer PENDING. */
    static String indexed(String token, String documentId) {
        return await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> given()
                .auth().oauth2(token).when().get("/api/rag/documents/" + documentId).then().statusCode(200)
                .extract().<String>path("status"), status -> !"PENDING".equals(status));
    }

    /** The run once it has ended. */
    static JsonPath runEnded(String token, String runId) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> given()
                .auth().oauth2(token).when().get("/api/agents/runs/" + runId).then().statusCode(200).extract().jsonPath(),
                run -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(run.getString("status")));
    }
}
