package io.meridian.platform.security;

import java.time.Duration;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import org.eclipse.microprofile.config.ConfigProvider;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * SmallRye JWT's verification (signature against the JWKS, issuer, audience, expiry, algorithm), then what auth-service
 * always issues (a lifetime of at most {@code meridian.security.max-token-lifetime}, 15 minutes, and a session id),
 * remembered for each token until {@code min(exp, now + max lifetime)}: a client's next request with the same token costs a lookup instead of an RSA verification.
 * A token string that verified once verifies again until its {@code exp}, so nothing is accepted that would not be;
 * revocation is checked on every request regardless ({@link RevokedSessionCheck}). Its claims are read once each
 * ({@link RememberedClaims}). The lowest priority of the
 * alternatives: a service with a verifier of its own (auth-service checks its own key store) keeps it.
 */
@ApplicationScoped
@Alternative
@Priority(0)
public class VerifiedTokenCache extends JWTCallerPrincipalFactory {

    /** A verified token and until when (epoch seconds) it may be taken from the cache. */
    private record Verified(JWTCallerPrincipal principal, long until) {
    }

    private final JWTCallerPrincipalFactory verifier = new DefaultJWTCallerPrincipalFactory();
    private final long maxLifetimeSeconds = ConfigProvider.getConfig()
            .getOptionalValue("meridian.security.max-token-lifetime", Duration.class).orElse(Duration.ofMinutes(15))
            .toSeconds();
    private final Cache<String, Verified> verified = Caffeine.newBuilder()
            .maximumSize(50_000)
            .expireAfter(new UntilTokenExpiry<String, Verified>(Verified::until))
            .build();

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo authContextInfo) throws ParseException {
        Verified cached = verified.getIfPresent(token);
        if (cached != null) {
            return cached.principal();
        }
        JWTCallerPrincipal principal = new RememberedClaims(verifier.parse(token, authContextInfo));
        long issuedAt = principal.getIssuedAtTime();
        long expiresAt = principal.getExpirationTime();
        // What auth-service never issues is refused even with a valid signature (a key stolen and later rotated).
        if (issuedAt <= 0 || expiresAt - issuedAt > maxLifetimeSeconds) {
            throw new ParseException("the token lives longer than auth-service issues tokens for");
        }
        if (principal.getClaim("sid") == null) {
            throw new ParseException("the token has no session");
        }
        verified.put(token, new Verified(principal, Math.min(expiresAt, System.currentTimeMillis() / 1000 + maxLifetimeSeconds)));
        return principal;
    }
}
