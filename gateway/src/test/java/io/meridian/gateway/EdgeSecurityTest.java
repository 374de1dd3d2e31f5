package io.meridian.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.security.KeyPairGenerator;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.meridian.platform.security.RevokedSessionKeys;
import io.meridian.testsupport.Tokens;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.jwt.build.Jwt;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** Tokens are checked at the edge: what the gateway refuses never reaches the service behind it. */
@QuarkusTest
class EdgeSecurityTest {

    @Inject
    RedisDataSource redis;

    @Test
    void withoutATokenAProtectedRouteIs401AndTheServiceNeverSeesIt() {
        String path = "/api/rag/collections/" + UUID.randomUUID();
        given().when().get(path).then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer").body("detail", containsString("bearer token"));
        assertThat(seenByRag(path)).isZero();
    }

    @Test
    void aBadOrForeignTokenIs401AndNeverReachesTheService() {
        String path = "/api/rag/collections/" + UUID.randomUUID();
        String valid = Tokens.user(UUID.randomUUID(), "bad@example.com");
        String[] parts = valid.split("\\.");
        String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 4) + "AAAA." + parts[2];
        for (String token : new String[] { "not-a-jwt", tampered, foreignToken(), expiredToken() }) {
            given().auth().oauth2(token).when().get(path).then().statusCode(401)
                    .contentType("application/problem+json");
        }
        assertThat(seenByRag(path)).isZero();
    }

    @Test
    void aRevokedSessionsTokenIs401AtTheEdge() {
        String path = "/api/rag/collections/" + UUID.randomUUID();
        String token = Tokens.user(UUID.randomUUID(), "revoked@example.com");
        given().auth().oauth2(token).when().get(path).then().statusCode(200);
        redis.value(String.class).setex(RevokedSessionKeys.key(Tokens.claim(token, "sid")), 60, "1");

        given().auth().oauth2(token).when().get(path).then().statusCode(401);
        assertThat(seenByRag(path)).isOne();
    }

    @Test
    void aNewSigningKeyIsPickedUpFromTheJwksWhenItsKidFirstAppears() {
        String jwks = ConfigProvider.getConfig().getValue("meridian.test.jwks.url", String.class);
        RestAssured.given().baseUri(jwks).when().post("/rotate").then().statusCode(204);
        String token = Tokens.signedWithSecondKey(UUID.randomUUID(), "rotated@example.com");

        given().auth().oauth2(token).when().get("/api/auth/sessions").then().statusCode(200)
                .body("path", equalTo("/api/auth/sessions"));
    }

    @Test
    void publicPathsNeedNoToken() {
        given().when().get("/.well-known/jwks.json").then().statusCode(200);
        given().contentType("application/json").body("{}").when().post("/api/auth/password-reset")
                .then().statusCode(200).body("path", equalTo("/api/auth/password-reset"));
        given().when().get("/api/auth/oauth/google/authorize").then().statusCode(200);
        given().when().get("/api/auth/sessions").then().statusCode(401);
    }

    @Test
    void everyAnswerCarriesSecurityHeaders() {
        for (String path : new String[] { "/.well-known/jwks.json", "/health", "/api/unknown" }) {
            given().when().get(path).then()
                    .header("X-Content-Type-Options", "nosniff")
                    .header("X-Frame-Options", "DENY")
                    .header("Referrer-Policy", "no-referrer");
        }
        given().when().get("/api/rag/collections").then().statusCode(401)
                .header("Content-Security-Policy", containsString("default-src 'none'"));
    }

    @Test
    void corsPreflightIsAnsweredForConfiguredOrigins() {
        given().header("Origin", "http://localhost:5173").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .when().options("/api/rag/collections")
                .then().statusCode(200)
                .header("Access-Control-Allow-Origin", "http://localhost:5173")
                .header("Access-Control-Allow-Methods", containsString("POST"));
        given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .when().options("/api/rag/collections")
                .then().header("Access-Control-Allow-Origin", (String) null);
    }

    @Test
    void aBodyOverTheRoutesLimitIs413BeforeTheService() {
        byte[] body = new byte[2 * 1024 * 1024];
        given().auth().oauth2(Tokens.admin(UUID.randomUUID(), "big@example.com")).contentType("application/json")
                .body(body).when().post("/api/email/messages")
                .then().statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("at most 1048576"));
    }

    static int seenByRag(String path) {
        String rag = ConfigProvider.getConfig().getValue("meridian.gateway.routes.rag.url", String.class);
        return Integer.parseInt(RestAssured.given().baseUri(rag).when().get("/seen?path=" + path).asString());
    }

    /** Signed by a key the platform does not have, under the known key id (so no JWKS refresh is triggered). */
    private static String foreignToken() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return Jwt.issuer(ConfigProvider.getConfig().getValue("mp.jwt.verify.issuer", String.class))
                    .audience("meridian").subject(UUID.randomUUID().toString()).expiresIn(Duration.ofMinutes(5))
                    .jws().keyId(Tokens.KEY_ID).sign(generator.generateKeyPair().getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String expiredToken() {
        long now = System.currentTimeMillis() / 1000;
        return Jwt.issuer(ConfigProvider.getConfig().getValue("mp.jwt.verify.issuer", String.class))
                .audience("meridian").subject(UUID.randomUUID().toString()).issuedAt(now - 3600).expiresAt(now - 600)
                .jws().keyId(Tokens.KEY_ID).sign();
    }
}
