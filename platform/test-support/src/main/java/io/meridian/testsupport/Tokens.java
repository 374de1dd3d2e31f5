package io.meridian.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/**
 * Mints access tokens for tests, shaped like auth-service's (API.md: sub, email, groups, scope, iss, aud, exp,
 * iat, jti, sid) and signed with the run's {@link TestKeys}, which the service under test trusts in {@code %test}.
 */
public final class Tokens {

    /** The key id of the test signing key. */
    public static final String KEY_ID = "meridian-test";
    /** The key id of the second key, published by the JWKS only after rotation (see {@link MeridianTestResource}). */
    public static final String SECOND_KEY_ID = "meridian-test-2";

    private Tokens() {
    }

    public static String user(UUID userId, String email) {
        return forSubject(userId.toString(), email, Set.of("user"), "");
    }

    public static String admin(UUID userId, String email) {
        return forSubject(userId.toString(), email, Set.of("user", "admin"), "");
    }

    /** A machine client's token from the client-credentials grant: no roles, only scopes, a revocable token session. */
    public static String client(String clientId, String scope) {
        return claims(clientId, null, Set.of(), scope).claim("client_id", clientId).jws().keyId(KEY_ID).sign();
    }

    public static String forSubject(String subject, String email, Set<String> groups, String scope) {
        return claims(subject, email, groups, scope).jws().keyId(KEY_ID).sign();
    }

    /** A user's token signed with the second test key, which the JWKS publishes only after rotation. */
    public static String signedWithSecondKey(UUID userId, String email) {
        String location = ConfigProvider.getConfig().getValue("meridian.test.second-sign-key.location", String.class);
        return claims(userId.toString(), email, Set.of("user"), "").jws().keyId(SECOND_KEY_ID).sign(location);
    }

    private static JwtClaimsBuilder claims(String subject, String email, Set<String> groups,
            String scope) {
        var config = ConfigProvider.getConfig();
        var claims = Jwt.claims()
                .issuer(config.getValue("mp.jwt.verify.issuer", String.class))
                .audience(config.getValue("mp.jwt.verify.audiences", String.class))
                .subject(subject)
                .groups(groups)
                .claim("scope", scope)
                .claim("jti", UUID.randomUUID().toString())
                .issuedAt(System.currentTimeMillis() / 1000)
                .expiresIn(Duration.ofMinutes(15));
        // every token auth-service issues has a session: a user's, or a machine client's token session
        claims.claim("sid", UUID.randomUUID().toString());
        if (email != null) {
            claims.claim("email", email);
        }
        return claims;
    }

    /** A string claim of a token this class signed (read from its payload, not verified). */
    public static String claim(String token, String name) {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        Matcher value = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(payload);
        if (!value.find()) {
            throw new IllegalArgumentException("no string claim " + name + " in the token");
        }
        return value.group(1);
    }
}
