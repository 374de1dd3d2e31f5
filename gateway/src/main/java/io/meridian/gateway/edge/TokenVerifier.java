package io.meridian.gateway.edge;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.meridian.platform.security.UntilTokenExpiry;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Verifies bearer tokens at the edge with SmallRye JWT, configured as every service is (auth-service's JWKS, cached
 * and re-fetched when an unknown {@code kid} appears; issuer, audience, expiry, RS256), and remembers verified tokens
 * until they expire so that a client's next request costs a lookup instead of an RSA verification (and the claims the
 * edge needs are read once, not per request). Whether the
 * token's session was revoked is not cached: it is asked of Redis on every request (see {@code RateLimiter}).
 */
@ApplicationScoped
public class TokenVerifier {

    /** What the edge needs of a verified token: who calls, in which session (null for machine clients), until when. */
    public record Caller(String subject, String sessionId, long expiresAtSeconds) {
    }

    private final JWTParser parser;
    private final Cache<String, Caller> verified = Caffeine.newBuilder()
            .maximumSize(20_000)
            .expireAfter(new UntilTokenExpiry<String, Caller>(Caller::expiresAtSeconds))
            .build();

    TokenVerifier(JWTParser parser) {
        this.parser = parser;
    }

    /** The caller of a verified token; throws when it is not a valid, current Meridian access token. */
    public Caller verify(String token) throws ParseException {
        Caller cached = verified.getIfPresent(token);
        if (cached != null) {
            return cached;
        }
        var jwt = parser.parse(token);
        // read once: SmallRye JWT looks a custom claim up by throwing and catching an IllegalArgumentException
        Caller caller = new Caller(jwt.getSubject(), jwt.getClaim("sid"), jwt.getExpirationTime());
        verified.put(token, caller);
        return caller;
    }
}
