package io.meridian.auth.service;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.meridian.auth.config.AuthConfig;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/** Signs access tokens (SmallRye JWT, RS256, with the active key's {@code kid}) carrying the claims of API.md. */
@ApplicationScoped
public class TokenIssuer {

    private final SigningKeys keys;
    private final AuthConfig config;
    private final String issuer;
    private final String audience;

    TokenIssuer(SigningKeys keys, AuthConfig config, @ConfigProperty(name = "mp.jwt.verify.issuer") String issuer,
            @ConfigProperty(name = "mp.jwt.verify.audiences") String audience) {
        this.keys = keys;
        this.config = config;
        this.issuer = issuer;
        this.audience = audience;
    }

    public String forUser(UUID userId, String email, Set<String> roles, Set<String> permissions, UUID sessionId) {
        JwtClaimsBuilder claims = base(userId.toString(), permissions)
                .claim("email", email)
                .groups(roles)
                .claim("sid", sessionId.toString());
        return sign(claims);
    }

    /** A machine client's token: {@code client_id} names it, {@code sid} is its token session (revocable). */
    public String forClient(String clientId, Set<String> scopes, UUID tokenSession) {
        return sign(base(clientId, scopes).groups(Set.of()).claim("client_id", clientId)
                .claim("sid", tokenSession.toString()));
    }

    public long accessTokenSeconds() {
        return config.tokens().accessTokenTtl().toSeconds();
    }

    private JwtClaimsBuilder base(String subject, Set<String> scopes) {
        Instant now = Instant.now();
        return Jwt.claims()
                .issuer(issuer)
                .audience(audience)
                .subject(subject)
                .claim("scope", String.join(" ", new java.util.TreeSet<>(scopes)))
                .claim("jti", UUID.randomUUID().toString())
                .issuedAt(now)
                .expiresAt(now.plus(config.tokens().accessTokenTtl()));
    }

    private String sign(JwtClaimsBuilder claims) {
        SigningKeys.Active active = keys.active();
        return claims.jws().keyId(active.kid()).algorithm(io.smallrye.jwt.algorithm.SignatureAlgorithm.RS256)
                .sign(active.privateKey());
    }
}
