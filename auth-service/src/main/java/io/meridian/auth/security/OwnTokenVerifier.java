package io.meridian.auth.security;

import java.security.Key;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.UnresolvableKeyException;

import io.meridian.auth.config.AuthConfig;
import io.meridian.auth.service.SessionService;
import io.meridian.auth.service.SigningKeys;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * auth-service verifies the tokens it signs against its own key store (the other services use its JWKS): only
 * RS256, a known live {@code kid}, the signature, {@code iss}, {@code aud}, {@code exp} and {@code nbf} within the
 * allowed skew, a subject and an issue time; and for user tokens, a session that has not been revoked.
 */
@ApplicationScoped
@Alternative
@Priority(1)
public class OwnTokenVerifier extends JWTCallerPrincipalFactory {

    private static final Logger LOG = Logger.getLogger(OwnTokenVerifier.class);

    private final SigningKeys keys;
    private final SessionService sessions;
    private final io.meridian.auth.service.ClientService clients;
    private final JwtConsumer consumer;

    OwnTokenVerifier(SigningKeys keys, SessionService sessions, io.meridian.auth.service.ClientService clients,
            AuthConfig config,
            @ConfigProperty(name = "mp.jwt.verify.issuer") String issuer,
            @ConfigProperty(name = "mp.jwt.verify.audiences") String audience) {
        this.keys = keys;
        this.sessions = sessions;
        this.clients = clients;
        this.consumer = new JwtConsumerBuilder()
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, SigningKeys.ALGORITHM)
                .setVerificationKeyResolver(new KeysById())
                .setExpectedIssuer(issuer)
                .setExpectedAudience(audience)
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds((int) config.tokens().clockSkew().toSeconds())
                .build();
    }

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo authContextInfo) throws ParseException {
        try {
            JwtClaims claims = consumer.processToClaims(token);
            String sid = claims.getClaimValueAsString("sid");
            String clientId = claims.getClaimValueAsString("client_id");
            if (sid == null) {
                throw new ParseException("the token has no session");
            }
            boolean active = clientId != null ? clientId.equals(claims.getSubject())
                    && clients.isActive(clientId, UUID.fromString(sid)) : sessions.isActive(UUID.fromString(sid));
            if (!active) {
                throw new ParseException("the token's session (or client) was revoked");
            }
            return new DefaultJWTCallerPrincipal(token, "JWT", claims);
        } catch (InvalidJwtException | IllegalArgumentException e) {
            LOG.debugf("Rejected a token: %s", e.getMessage());
            throw new ParseException("token rejected", e);
        } catch (MalformedClaimException e) {
            throw new ParseException("token rejected", e);
        }
    }

    /** Finds the verification key by {@code kid}; an unknown or missing one fails verification, never the server. */
    private final class KeysById implements VerificationKeyResolver {

        @Override
        public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nestingContext)
                throws UnresolvableKeyException {
            String kid = jws.getKeyIdHeaderValue();
            Key key = kid == null || kid.length() > 64 ? null : keys.verificationKey(kid);
            if (key == null) {
                throw new UnresolvableKeyException("no live signing key has this kid");
            }
            return key;
        }
    }

}
