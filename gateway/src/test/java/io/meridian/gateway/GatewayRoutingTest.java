package io.meridian.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class GatewayRoutingTest {

    @TestHTTPResource("/")
    URI gateway;

    private final String token = Tokens.user(UUID.randomUUID(), "routing@example.com");

    @Test
    void prefixGoesToItsServiceWithPathAndQuery() {
        given().auth().oauth2(token).when().get("/api/auth/sessions?verbose=true")
                .then().statusCode(200)
                .body("method", equalTo("GET"))
                .body("path", equalTo("/api/auth/sessions"))
                .body("query", equalTo("verbose=true"));
    }

    @Test
    void wellKnownGoesToAuth() {
        given().when().get("/.well-known/jwks.json").then().statusCode(200)
                .body("path", equalTo("/.well-known/jwks.json"));
    }

    @Test
    void forwardedHeadersAndTheRequestIdReachTheService() {
        Response response = given().header("X-Request-Id", "gw-req-7").auth().oauth2(token)
                .header("X-Forwarded-For", "6.6.6.6")
                .when().get("/api/rag/notes");
        response.then().statusCode(200)
                .body("headers.x-request-id", equalTo("gw-req-7"))
                .body("headers.x-forwarded-for", equalTo("127.0.0.1"))
                .body("headers.x-forwarded-proto", equalTo("http"))
                .body("headers.x-forwarded-host", containsString("localhost"))
                .body("headers.authorization", equalTo("Bearer " + token));
        assertThat(response.headers().getValues("X-Request-Id")).containsExactly("gw-req-7");
    }

    @Test
    void uploadsStreamThroughIntact() throws Exception {
        byte[] body = new byte[8 * 1024 * 1024];
        new Random(42).nextBytes(body);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        given().auth().oauth2(token).contentType("application/octet-stream").body(body)
                .when().post("/api/rag/collections/c1/documents")
                .then().statusCode(200)
                .body("method", equalTo("POST"))
                .body("size", equalTo(body.length))
                .body("sha256", equalTo(sha));
    }

    @Test
    void serverSentEventsArriveAsTheyAreProduced() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<Stream<String>> response = client.send(
                HttpRequest.newBuilder(gateway.resolve("/api/rag/stream")).header("Accept", "text/event-stream")
                        .header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        Iterator<String> lines = response.body().filter(line -> !line.isBlank()).iterator();
        assertThat(lines.next()).isEqualTo("data: first");
        // Only now may the service send its last event: the first one reached us before the stream ended.
        String rag = ConfigProvider.getConfig().getValue("meridian.gateway.routes.rag.url", String.class);
        client.send(HttpRequest.newBuilder(URI.create(rag + "/release")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(lines.next()).isEqualTo("data: second");
    }

    @Test
    void unreachableServiceAnswers503ProblemJson() {
        given().header("X-Request-Id", "gw-down-1").auth().oauth2(token).when().get("/api/agents")
                .then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .body("detail", containsString("agent"))
                .body("requestId", equalTo("gw-down-1"));
    }

    @Test
    void pathOutsideEveryRouteIsProblemJson404() {
        given().when().get("/api/unknown/thing").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void aggregatedHealthProbesEveryService() {
        given().when().get("/health")
                .then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("services.auth.status", equalTo("UP"))
                .body("services.rag.status", equalTo("UP"))
                .body("services.agent.status", equalTo("DOWN"))
                .body("services.cache.status", equalTo("DOWN"))
                .body("services.email.status", equalTo("DOWN"))
                .body("services.auth.latencyMs", greaterThanOrEqualTo(0));
    }
}
