package io.meridian.platform.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.meridian.testsupport.Tokens;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class RevokedSessionCheckTest {

    @InjectInfrastructure
    Infrastructure infra;
    @Inject
    RedisDataSource redis;
    @Inject
    ObjectMapper mapper;

    @Test
    void aTokenOfARevokedSessionIsRefusedAtOnce() throws Exception {
        String token = Tokens.admin(UUID.randomUUID(), "admin@example.com");
        given().auth().oauth2(token).when().get("/notes/admin").then().statusCode(200);

        redis.value(String.class).setex(RevokedSessionKeys.key(sid(token)), 60, "1");

        given().auth().oauth2(token).when().get("/notes/admin")
                .then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void withRedisUnreachableTokensStillWorkAndTheGapIsCounted() {
        String token = Tokens.admin(UUID.randomUUID(), "admin@example.com");
        infra.redisProxy().cut();
        try {
            given().auth().oauth2(token).when().get("/notes/admin").then().statusCode(200);
        } finally {
            infra.redisProxy().restore();
        }
        given().when().get("/q/metrics").then()
                .body(containsString("meridian_security_deny_list_unavailable_total"));
    }

    @Test
    void aMachineClientsTokenIsRevokedThroughItsTokenSession() throws Exception {
        String token = Tokens.client("mc_test", "cache:read");
        given().auth().oauth2(token).when().get("/notes/admin").then().statusCode(403); // verified; not an admin
        redis.value(String.class).setex(RevokedSessionKeys.key(sid(token)), 60, "1"); // the client was disabled
        given().auth().oauth2(token).when().get("/notes/admin").then().statusCode(401);
    }

    @Test
    void whatAuthServiceNeverIssuesIsRefusedEvenWithAValidSignature() {
        long now = System.currentTimeMillis() / 1000;
        var config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        // a day-long token, as one forged with a stolen key would be
        String longLived = io.smallrye.jwt.build.Jwt.issuer(config.getValue("mp.jwt.verify.issuer", String.class))
                .audience("meridian").subject(UUID.randomUUID().toString()).groups(java.util.Set.of("user", "admin"))
                .claim("sid", UUID.randomUUID().toString()).issuedAt(now).expiresAt(now + 86_400)
                .jws().keyId(Tokens.KEY_ID).sign();
        given().auth().oauth2(longLived).when().get("/notes/admin").then().statusCode(401);
        // a user's token without a session id cannot be revoked: refused
        String sessionless = io.smallrye.jwt.build.Jwt.issuer(config.getValue("mp.jwt.verify.issuer", String.class))
                .audience("meridian").subject(UUID.randomUUID().toString()).groups(java.util.Set.of("user", "admin"))
                .issuedAt(now).expiresAt(now + 600).jws().keyId(Tokens.KEY_ID).sign();
        given().auth().oauth2(sessionless).when().get("/notes/admin").then().statusCode(401);
    }

    private String sid(String token) throws Exception {
        return mapper.readTree(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8))
                .path("sid").asText();
    }
}
