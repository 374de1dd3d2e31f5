package io.meridian.rag;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;


import io.meridian.testsupport.Tokens;

/** Users, collections, documents and waiting for ingestion. */
final class RagFixtures {

    private RagFixtures() {
    }

    static String user() {
        return Tokens.user(UUID.randomUUID(), "reader-" + UUID.randomUUID().toString().substring(0, 6) + "@example.com");
    }

    static String collection(String token, String name) {
        return given().auth().oauth2(token).contentType("application/json").body(Map.of("name", name))
                .when().post("/api/rag/collections").then().statusCode(201).extract().path("id");
    }

    static String addText(String token, String collection, String title, String text) {
        return given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("title", title, "text", text, "externalId", "ext-" + title))
                .when().post("/api/rag/collections/" + collection + "/documents").then().statusCode(202)
                .extract().path("id");
    }

    /** Uploads a file (its declared type, which rag-service does not trust); answers the PENDING document's id. */
    static String upload(String token, String collection, String name, String declared, byte[] content) {
        return given().auth().oauth2(token).multiPart("file", name, content, declared)
                .when().post("/api/rag/collections/" + collection + "/documents")
                .then().statusCode(202).body("status", org.hamcrest.Matchers.equalTo("PENDING")).extract().path("id");
    }

    /** Waits until the document is INDEXED or FAILED; answers its status. */
    static String awaitIngested(String token, String document) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> given()
                .auth().oauth2(token).when().get("/api/rag/documents/" + document).then().extract()
                .<String>path("status"), status -> !"PENDING".equals(status));
    }

    /** An event as auth-service publishes it. */
    static String event(String type, Map<String, ?> data) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules().writeValueAsString(
                    new io.meridian.platform.events.EventEnvelope("1.0", UUID.randomUUID().toString(),
                            "/meridian/auth-service", type, java.time.Instant.now(), String.valueOf(data.get("userId")),
                            "application/json", new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(data)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A one-page PDF with the text written on it. */
    static byte[] pdf(String... lines) {
        return io.meridian.testsupport.Documents.pdf(lines);
    }
}
