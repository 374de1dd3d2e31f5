package io.meridian.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Limits keyed by what they protect (the test profile allows 8 refreshes per session and 5 tokens per client an hour):
 * a session's refreshes, whatever the address; a machine client's tokens, which only that client can spend.
 */
@QuarkusTest
class KeyedLimitsTest extends AuthTestSupport {

    private static Response refresh(String token, String address) {
        return given().contentType(ContentType.JSON).header("X-Forwarded-For", address)
                .body(Map.of("refreshToken", token)).when().post("/api/auth/refresh");
    }

    @Test
    void refreshesAreLimitedPerSessionNotPerAddress() {
        Account account = register("refresher");
        String shared = newAddress();
        String refresh = login(account).refresh();
        for (int i = 0; i < 8; i++) {
            Response answer = refresh(refresh, i % 2 == 0 ? shared : newAddress());
            answer.then().statusCode(200);
            refresh = answer.path("refreshToken");
        }
        Response limited = refresh(refresh, newAddress());
        limited.then().statusCode(429).contentType("application/problem+json");
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isPositive();
        // The refused refresh did not spend the token: it works once the window allows, and other sessions are free.
        String other = login(account).refresh();
        refresh(other, shared).then().statusCode(200);
        Account neighbour = register("neighbour");
        refresh(login(neighbour).refresh(), shared).then().statusCode(200);
    }

    @Test
    void clientTokensAreLimitedPerClientAndOnlyItsOwnCallsCount() {
        String admin = admin().access();
        Response first = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "busy", "scopes", List.of("cache:read"))).when().post("/api/auth/clients");
        Response second = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "quiet", "scopes", List.of("cache:read"))).when().post("/api/auth/clients");
        String busy = first.path("clientId");
        String quiet = second.path("clientId");
        // Wrong secrets for the quiet client's id: refused, and they spend nothing of its allowance.
        for (int i = 0; i < 10; i++) {
            token(quiet, "wrong-secret-" + i).then().statusCode(401);
        }
        for (int i = 0; i < 5; i++) {
            token(busy, first.path("clientSecret")).then().statusCode(200);
        }
        Response limited = token(busy, first.path("clientSecret"));
        limited.then().statusCode(429);
        assertThat(limited.header("Retry-After")).isNotNull();
        for (int i = 0; i < 5; i++) {
            token(quiet, second.path("clientSecret")).then().statusCode(200);
        }
    }

    private static Response token(String clientId, String secret) {
        return given().formParam("grant_type", "client_credentials").formParam("client_id", clientId)
                .formParam("client_secret", secret).when().post("/api/auth/token");
    }
}
