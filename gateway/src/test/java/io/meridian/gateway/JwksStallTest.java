package io.meridian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An anonymous client sends tokens naming keys nobody has while auth-service's JWKS accepts connections and never
 * answers: the gateway's event loop is never blocked, so health, a public route and a route with a valid token keep
 * answering at once, and the forged tokens end in 401 once the bounded fetch gives up.
 */
@QuarkusTest
class JwksStallTest {

    @TestHTTPResource("/")
    URI gateway;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private static String withRandomKid(String token) {
        String[] parts = token.split("\\.");
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + UUID.randomUUID() + "\"}";
        return Base64.getUrlEncoder().withoutPadding().encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + parts[1] + "." + parts[2];
    }

    private HttpResponse<String> get(String path, String token, Duration timeout) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.resolve(path)).timeout(timeout);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void jwks(String action) throws Exception {
        String url = ConfigProvider.getConfig().getValue("meridian.test.jwks.url", String.class);
        http.send(HttpRequest.newBuilder(URI.create(url + "/" + action)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void aStalledJwksAndRandomKeyIdsNeverFreezeTheGateway() throws Exception {
        String valid = Tokens.user(UUID.randomUUID(), "steady@example.com");
        assertThat(get("/api/rag/notes", valid, Duration.ofSeconds(10)).statusCode()).isEqualTo(200);
        jwks("stall");
        try {
            List<CompletableFuture<HttpResponse<String>>> forged = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String token = withRandomKid(Tokens.user(UUID.randomUUID(), "forger@example.com"));
                forged.add(http.sendAsync(HttpRequest.newBuilder(gateway.resolve("/api/rag/notes"))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            // While the forged tokens wait for the JWKS, everything else answers within a second (a timeout fails).
            for (int round = 0; round < 5; round++) {
                assertThat(get("/health", null, Duration.ofSeconds(1)).statusCode()).isIn(200, 503);
                assertThat(get("/.well-known/jwks.json", null, Duration.ofSeconds(1)).statusCode()).isEqualTo(200);
                assertThat(get("/api/rag/notes", valid, Duration.ofSeconds(1)).statusCode()).isEqualTo(200);
                Thread.sleep(200);
            }
            for (CompletableFuture<HttpResponse<String>> answer : forged) {
                HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
                assertThat(response.statusCode()).isEqualTo(401);
                assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            }
        } finally {
            jwks("unstall");
        }
    }
}
