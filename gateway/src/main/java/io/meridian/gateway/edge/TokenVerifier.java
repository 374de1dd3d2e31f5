package io.meridian.gateway.edge;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Verifies bearer tokens at the edge with SmallRye JWT, configured as every service is (auth-service's JWKS, cached
 * and re-fetched when an unknown {@code kid} appears; issuer, audience, expiry, RS256), and remembers verified tokens
 * until they expire so that a client's next request costs a lookup instead of an RSA verification. Whether the
 * token's session was revoked is not cached: it is asked of Redis on every request (see {@code RateLimiter}).
 */
@ApplicationScoped
public class TokenVerifier {

    private final JWTParser parser;
    private final Cache<String, JsonWebToken> verified = Caffeine.newBuilder()
            .maximumSize(20_000)
            .expireAfter(new Expiry<String, JsonWebToken>() {
                @Override
                public long expireAfterCreate(String token, JsonWebToken jwt, long now) {
                    long seconds = jwt.getExpirationTime() - System.currentTimeMillis() / 1000;
                    return Duration.ofSeconds(Math.max(0, seconds)).toNanos();
                }

                @Override
                public long expireAfterUpdate(String token, JsonWebToken jwt, long now, long current) {
                    return current;
                }

                @Override
                public long expireAfterRead(String token, JsonWebToken jwt, long now, long current) {
                    return current;
                }
            }).build();

    TokenVerifier(JWTParser parser) {
        this.parser = parser;
    }

    /** The verified token; throws when it is not a valid, current Meridian access token. */
    public JsonWebToken verify(String token) throws ParseException {
        JsonWebToken cached = verified.getIfPresent(token);
        if (cached != null) {
            return cached;
        }
        JsonWebToken jwt = parser.parse(token);
        verified.put(token, jwt);
        return jwt;
    }
}
