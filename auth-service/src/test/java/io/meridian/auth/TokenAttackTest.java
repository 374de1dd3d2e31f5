package io.meridian.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.meridian.auth.service.SigningKeys;
import io.quarkus.test.junit.QuarkusTest;

/** Tokens an attacker could present: each is refused with 401, never accepted and never a 500. */
@QuarkusTest
class TokenAttackTest extends AuthTestSupport {

    @Inject
    SigningKeys keys;

    @Test
    void aCorrectlyForgedTokenWouldPassSoTheRefusalsBelowAreForTheirDefectAlone() throws Exception {
        assertAccepted(sign(validClaims(), keys.active().kid(), keys.active().privateKey(), AlgorithmIdentifiers.RSA_USING_SHA256));
    }

    @Test
    void algNoneIsRefused() throws Exception {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + keys.active().kid() + "\"}");
        assertRefused(header + "." + b64(validClaims().toJson()) + ".");
    }

    @Test
    void hs256SignedWithThePublicKeyIsRefused() throws Exception {
        Key hmac = new HmacKey(keys.verificationKey(keys.active().kid()).getEncoded());
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(validClaims().toJson());
        jws.setKey(hmac);
        jws.setKeyIdHeaderValue(keys.active().kid());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setDoKeyValidation(false);
        assertRefused(jws.getCompactSerialization());
    }

    @Test
    void aTamperedPayloadIsRefused() throws Exception {
        String valid = sign(validClaims(), keys.active().kid(), keys.active().privateKey(), AlgorithmIdentifiers.RSA_USING_SHA256);
        String[] parts = valid.split("\\.");
        JwtClaims elevated = validClaims();
        elevated.setStringListClaim("groups", List.of("user", "admin"));
        assertRefused(parts[0] + "." + b64(elevated.toJson()) + "." + parts[2]);
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        assertRefused(variant(claims -> {
            claims.setIssuedAt(NumericDate.fromSeconds(now() - 3600));
            claims.setExpirationTime(NumericDate.fromSeconds(now() - 120)); // beyond the 30 s skew
        }));
    }

    @Test
    void aTokenNotYetValidIsRefused() throws Exception {
        assertRefused(variant(claims -> claims.setNotBefore(NumericDate.fromSeconds(now() + 600))));
    }

    @Test
    void aWrongIssuerIsRefused() throws Exception {
        assertRefused(variant(claims -> claims.setIssuer("https://evil.example")));
    }

    @Test
    void aWrongAudienceIsRefused() throws Exception {
        assertRefused(variant(claims -> claims.setAudience("someone-else")));
    }

    @Test
    void anUnknownKidIsRefused() throws Exception {
        assertRefused(sign(validClaims(), "no-such-key", keys.active().privateKey(), AlgorithmIdentifiers.RSA_USING_SHA256));
    }

    @Test
    void aKidCarryingInjectionTextIsRefused() throws Exception {
        for (String kid : List.of("' or '1'='1", "../../../../etc/passwd", "x".repeat(5000), "%00\u0000null", "${jndi:ldap://x}")) {
            assertRefused(sign(validClaims(), kid, keys.active().privateKey(), AlgorithmIdentifiers.RSA_USING_SHA256));
        }
    }

    @Test
    void garbageIsRefused() {
        for (String token : List.of("a.b.c", "not-a-token", "eyJhbGciOiJSUzI1NiJ9..")) {
            assertRefused(token);
        }
    }

    @Test
    void tokensOfThePreviousKeyVerifyAfterRotationUntilTheyExpire() {
        Account account = register("rotation");
        Tokens before = login(account);
        String oldKid = header(before.access()).path("kid").asText();

        keys.rotateNow();

        Tokens after = login(account);
        String newKid = header(after.access()).path("kid").asText();
        assertThat(newKid).isNotEqualTo(oldKid);
        given().auth().oauth2(before.access()).when().get("/api/auth/me").then().statusCode(200);
        given().auth().oauth2(after.access()).when().get("/api/auth/me").then().statusCode(200);
        String jwks = given().when().get("/.well-known/jwks.json").then().statusCode(200).extract().asString();
        assertThat(jwks).contains(oldKid).contains(newKid).doesNotContain("\"d\"");
    }

    private JwtClaims validClaims() throws Exception {
        Account account = register("forge");
        JsonNode real = claims(login(account).access());
        JwtClaims claims = JwtClaims.parse(real.toString());
        claims.setIssuedAt(NumericDate.fromSeconds(now()));
        claims.setExpirationTime(NumericDate.fromSeconds(now() + 600));
        return claims;
    }

    private String variant(Consumer<JwtClaims> change) throws Exception {
        JwtClaims claims = validClaims();
        change.accept(claims);
        return sign(claims, keys.active().kid(), keys.active().privateKey(), AlgorithmIdentifiers.RSA_USING_SHA256);
    }

    private static String sign(JwtClaims claims, String kid, Key key, String algorithm) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key);
        jws.setKeyIdHeaderValue(kid);
        jws.setAlgorithmHeaderValue(algorithm);
        return jws.getCompactSerialization();
    }

    private static void assertRefused(String token) {
        given().auth().oauth2(token).when().get("/api/auth/me")
                .then().statusCode(401).contentType("application/problem+json");
    }

    private static void assertAccepted(String token) {
        given().auth().oauth2(token).when().get("/api/auth/me").then().statusCode(200);
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
