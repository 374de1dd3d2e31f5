package io.meridian.testsupport;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;

import io.smallrye.jwt.build.Jwt;

/**
 * Mints access tokens for tests, shaped like auth-service's (API.md: sub, email, groups, scope, iss, aud, exp,
 * iat, jti, sid) and signed with the run's {@link TestKeys}, which the service under test trusts in {@code %test}.
 */
public final class Tokens {

    private Tokens() {
    }

    public static String user(UUID userId, String email) {
        return forSubject(userId.toString(), email, Set.of("user"), "");
    }

    public static String admin(UUID userId, String email) {
        return forSubject(userId.toString(), email, Set.of("user", "admin"), "");
    }

    /** A machine client's token from the client-credentials grant: no roles, only scopes. */
    public static String client(String clientId, String scope) {
        return forSubject(clientId, null, Set.of(), scope);
    }

    public static String forSubject(String subject, String email, Set<String> groups, String scope) {
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
        if (email != null) { // a user, signed in: a session
            claims.claim("email", email);
            claims.claim("sid", UUID.randomUUID().toString());
        }
        return claims.jws().keyId("meridian-test").sign();
    }
}
