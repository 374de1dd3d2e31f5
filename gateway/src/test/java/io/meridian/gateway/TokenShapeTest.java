package io.meridian.gateway;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.meridian.platform.security.RevokedSessionKeys;
import io.meridian.testsupport.Tokens;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import io.vertx.core.json.JsonObject;

/**
 * Tokens the edge refuses although their signature is good, because auth-service never issues them: too long-lived
 * (a forged token must not outlive the key rotation), without a session id (nothing could revoke it), or a client
 * token naming another subject. And a machine client's token is revoked at once through its token session.
 */
@QuarkusTest
class TokenShapeTest {

    @Inject
    RedisDataSource redis;

    private static String issuer() {
        return ConfigProvider.getConfig().getValue("mp.jwt.verify.issuer", String.class);
    }

    @Test
    void longLivedSessionlessAndMismatchedTokensAreRefused() {
        long now = System.currentTimeMillis() / 1000;
        String dayLong = Jwt.issuer(issuer()).audience("meridian").subject(UUID.randomUUID().toString())
                .groups(Set.of("user")).claim("sid", UUID.randomUUID().toString()).issuedAt(now).expiresAt(now + 86_400)
                .jws().keyId(Tokens.KEY_ID).sign();
        given().auth().oauth2(dayLong).when().get("/api/rag/notes").then().statusCode(401);
        String sessionless = Jwt.issuer(issuer()).audience("meridian").subject(UUID.randomUUID().toString())
                .groups(Set.of("user")).issuedAt(now).expiresAt(now + 600).jws().keyId(Tokens.KEY_ID).sign();
        given().auth().oauth2(sessionless).when().get("/api/rag/notes").then().statusCode(401);
        String borrowed = Jwt.issuer(issuer()).audience("meridian").subject("mc_other").claim("client_id", "mc_mine")
                .claim("sid", UUID.randomUUID().toString()).issuedAt(now).expiresAt(now + 600)
                .jws().keyId(Tokens.KEY_ID).sign();
        given().auth().oauth2(borrowed).when().get("/api/rag/notes").then().statusCode(401);
        // the shape auth-service issues passes
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "fine@example.com")).when().get("/api/rag/notes")
                .then().statusCode(200);
    }

    @Test
    void aDisabledClientsTokenIsRefusedAtOnce() {
        String token = Tokens.client("mc_" + UUID.randomUUID().toString().replace("-", ""), "cache:read");
        given().auth().oauth2(token).when().get("/api/rag/notes").then().statusCode(200);
        String sid = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                StandardCharsets.UTF_8)).getString("sid");
        redis.value(String.class).setex(RevokedSessionKeys.key(sid), 60, "1"); // what disabling the client writes
        given().auth().oauth2(token).when().get("/api/rag/notes").then().statusCode(401);
    }
}
