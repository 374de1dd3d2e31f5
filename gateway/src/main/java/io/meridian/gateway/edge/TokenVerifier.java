package io.meridian.gateway.edge;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.meridian.gateway.config.GatewayConfig;
import io.meridian.platform.security.UntilTokenExpiry;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Verifies bearer tokens at the edge without blocking the event loop: the signing key comes from {@link JwksKeys}
 * (fetched asynchronously, bounded), then SmallRye JWT checks the signature, issuer, audience, expiry and algorithm
 * as every service does. Beyond that, the edge refuses what auth-service never issues: a token living longer than
 * {@code max-token-lifetime}, or one without a session id ({@code sid}: users' sessions and machine clients' token
 * sessions alike), or a client token whose {@code client_id} is not its subject. Verified
 * tokens are remembered until {@code min(exp, now + max-token-lifetime)} so that a client's next request costs a lookup
 * instead of an RSA verification. Whether the token's session or client was revoked is not cached: it is asked of
 * Redis on every request (see {@code RateLimiter}).
 */
@ApplicationScoped
public class TokenVerifier {

    /**
     * What the edge needs of a verified token: who calls, the session whose deny-list entry would revoke it (a user's
     * session, or a machine client's token session), until when it is remembered.
     */
    public record Caller(String subject, String revocationId, long cachedUntilSeconds) {
    }

    private final JWTParser parser;
    private final JwksKeys keys;
    private final long maxLifetimeSeconds;
    private final Cache<String, Caller> verified = Caffeine.newBuilder()
            .maximumSize(20_000)
            .expireAfter(new UntilTokenExpiry<String, Caller>(Caller::cachedUntilSeconds))
            .build();

    TokenVerifier(JWTParser parser, JwksKeys keys, GatewayConfig config) {
        this.parser = parser;
        this.keys = keys;
        this.maxLifetimeSeconds = config.maxTokenLifetime().toSeconds();
    }

    /** The caller of a verified token; fails with a {@link ParseException} when it is not a valid Meridian token. */
    public Future<Caller> verify(String token) {
        Caller cached = verified.getIfPresent(token);
        if (cached != null) {
            return Future.succeededFuture(cached);
        }
        String kid;
        try {
            kid = keyId(token);
        } catch (RuntimeException e) {
            return Future.failedFuture(new ParseException("The token's header is not readable."));
        }
        return keys.key(kid).recover(unknown -> Future.failedFuture(new ParseException(unknown.getMessage())))
                .compose(key -> {
                    try {
                        Caller caller = check(parser.verify(token, key));
                        verified.put(token, caller);
                        return Future.succeededFuture(caller);
                    } catch (ParseException e) {
                        return Future.failedFuture(e);
                    }
                });
    }

    private Caller check(org.eclipse.microprofile.jwt.JsonWebToken jwt) throws ParseException {
        long issuedAt = jwt.getIssuedAtTime();
        long expiresAt = jwt.getExpirationTime();
        if (issuedAt <= 0 || expiresAt - issuedAt > maxLifetimeSeconds) {
            throw new ParseException("The token lives longer than auth-service issues tokens for.");
        }
        // read once: SmallRye JWT looks a custom claim up by throwing and catching an IllegalArgumentException
        String sessionId = jwt.getClaim("sid");
        String clientId = jwt.getClaim("client_id");
        if (sessionId == null) {
            throw new ParseException("The token has no session: auth-service issues none without one.");
        }
        if (clientId != null && !clientId.equals(jwt.getSubject())) {
            throw new ParseException("The token's client is not its subject.");
        }
        long now = System.currentTimeMillis() / 1000;
        return new Caller(jwt.getSubject(), sessionId, Math.min(expiresAt, now + maxLifetimeSeconds));
    }

    private static String keyId(String token) {
        int dot = token.indexOf('.');
        if (dot <= 0 || dot > 2048) {
            throw new IllegalArgumentException("no header");
        }
        JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)),
                StandardCharsets.UTF_8));
        return header.getString("kid");
    }
}
