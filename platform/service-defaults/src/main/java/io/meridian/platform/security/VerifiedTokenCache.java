package io.meridian.platform.security;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * SmallRye JWT's verification (signature against the JWKS, issuer, audience, expiry, algorithm), remembered for each
 * token until it expires: a client's next request with the same token costs a lookup instead of an RSA verification.
 * A token string that verified once verifies again until its {@code exp}, so nothing is accepted that would not be;
 * revocation is checked on every request regardless ({@link RevokedSessionCheck}). The lowest priority of the
 * alternatives: a service with a verifier of its own (auth-service checks its own key store) keeps it.
 */
@ApplicationScoped
@Alternative
@Priority(0)
public class VerifiedTokenCache extends JWTCallerPrincipalFactory {

    private final JWTCallerPrincipalFactory verifier = new DefaultJWTCallerPrincipalFactory();
    private final Cache<String, JWTCallerPrincipal> verified = Caffeine.newBuilder()
            .maximumSize(50_000)
            .expireAfter(new UntilTokenExpiry<String, JWTCallerPrincipal>(JWTCallerPrincipal::getExpirationTime))
            .build();

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo authContextInfo) throws ParseException {
        JWTCallerPrincipal cached = verified.getIfPresent(token);
        if (cached != null) {
            return cached;
        }
        JWTCallerPrincipal principal = verifier.parse(token, authContextInfo);
        verified.put(token, principal);
        return principal;
    }
}
