package io.meridian.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.meridian.platform.security.RevokedSessionKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

@QuarkusTest
class TokenLifecycleTest extends AuthTestSupport {

    @Inject
    RedisDataSource redis;

    @Test
    void loginGivesATokenPairWithTheClaimsOfTheContract() {
        Account account = register("claims");
        Response response = loginResponse(account.email(), PASSWORD, newAddress());
        response.then().statusCode(200)
                .header("Cache-Control", "no-store") // an answer carrying tokens is never cached
                .body("tokenType", equalTo("Bearer"))
                .body("expiresIn", equalTo(900));
        String access = response.path("accessToken");
        String refresh = response.path("refreshToken");
        assertThat(refresh).hasSizeGreaterThanOrEqualTo(43); // 256 bits, base64url

        JsonNode header = header(access);
        assertThat(header.path("alg").asText()).isEqualTo("RS256");
        assertThat(header.path("kid").asText()).isNotBlank();
        JsonNode claims = claims(access);
        assertThat(claims.path("sub").asText()).isEqualTo(account.id());
        assertThat(claims.path("email").asText()).isEqualTo(account.email());
        assertThat(claims.path("groups").toString()).isEqualTo("[\"user\"]");
        assertThat(claims.path("scope").asText()).contains("rag:read").doesNotContain("users:write");
        assertThat(claims.path("iss").asText()).isEqualTo("http://localhost:8080");
        assertThat(claims.path("aud").toString()).contains("meridian");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(900);
        assertThat(claims.path("jti").asText()).isNotBlank();
        assertThat(claims.path("sid").asText()).isNotBlank();
    }

    @Test
    void unknownEmailAndWrongPasswordAnswerTheSame() {
        Account account = register("same");
        Response wrong = loginResponse(account.email(), "not-the-password-1", newAddress());
        Response unknown = loginResponse(uniqueEmail("ghost"), "not-the-password-1", newAddress());
        wrong.then().statusCode(401).contentType("application/problem+json");
        unknown.then().statusCode(401).contentType("application/problem+json");
        assertThat(wrong.<String>path("detail")).isEqualTo(unknown.path("detail"));
        assertThat(wrong.<String>path("title")).isEqualTo(unknown.path("title"));
    }

    @Test
    void refreshGivesANewPairAndSpendsTheOldToken() {
        Account account = register("refresh");
        Tokens first = login(account);
        Response refreshed = given().contentType(ContentType.JSON).body(Map.of("refreshToken", first.refresh()))
                .when().post("/api/auth/refresh");
        refreshed.then().statusCode(200).header("Cache-Control", "no-store").body("tokenType", equalTo("Bearer"));
        String newRefresh = refreshed.path("refreshToken");
        assertThat(newRefresh).isNotEqualTo(first.refresh());
        assertThat(claims(refreshed.path("accessToken")).path("sid").asText())
                .isEqualTo(claims(first.access()).path("sid").asText());
        given().auth().oauth2(refreshed.<String>path("accessToken")).when().get("/api/auth/me").then().statusCode(200);
    }

    @Test
    void aSpentRefreshTokenRevokesTheWholeSession() {
        Account account = register("reuse");
        Tokens first = login(account);
        Response second = given().contentType(ContentType.JSON).body(Map.of("refreshToken", first.refresh()))
                .when().post("/api/auth/refresh");
        second.then().statusCode(200);

        // The stolen, already used token comes back.
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", first.refresh()))
                .when().post("/api/auth/refresh").then().statusCode(401).contentType("application/problem+json");

        given().auth().oauth2(second.<String>path("accessToken")).when().get("/api/auth/me").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", second.<String>path("refreshToken")))
                .when().post("/api/auth/refresh").then().statusCode(401);
    }

    @Test
    void unknownRefreshTokenIs401() {
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", "made-up-token-value"))
                .when().post("/api/auth/refresh").then().statusCode(401);
    }

    @Test
    void logoutStopsTheAccessTokenAtOnceAndPutsTheSessionOnTheDenyList() {
        Account account = register("logout");
        Tokens tokens = login(account);
        String sid = claims(tokens.access()).path("sid").asText();
        given().auth().oauth2(tokens.access()).contentType(ContentType.JSON)
                .body(Map.of("refreshToken", tokens.refresh()))
                .when().post("/api/auth/logout").then().statusCode(204);

        given().auth().oauth2(tokens.access()).when().get("/api/auth/me").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", tokens.refresh()))
                .when().post("/api/auth/refresh").then().statusCode(401);
        await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(redis.value(String.class).get(RevokedSessionKeys.key(sid))));
        long ttl = redis.key().ttl(RevokedSessionKeys.key(sid));
        assertThat(ttl).isBetween(800L, 930L);
    }

    @Test
    void wellKnownPublishesPublicKeysAndDiscovery() {
        Response jwks = given().when().get("/.well-known/jwks.json");
        jwks.then().statusCode(200);
        String body = jwks.asString();
        assertThat(body).contains("\"kty\":\"RSA\"").contains("\"kid\"");
        for (String privateMember : new String[] { "\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\"" }) {
            assertThat(body).doesNotContain(privateMember);
        }
        given().when().get("/.well-known/openid-configuration").then().statusCode(200)
                .body("issuer", equalTo("http://localhost:8080"))
                .body("jwks_uri", equalTo("http://localhost:8080/.well-known/jwks.json"));
    }
}
