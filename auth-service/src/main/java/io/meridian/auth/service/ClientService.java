package io.meridian.auth.service;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.meridian.auth.domain.OAuthClient;
import io.meridian.platform.problem.ProblemException;

/** Machine clients and the OAuth 2.0 client-credentials grant. */
@ApplicationScoped
public class ClientService {

    public record Created(String clientId, String clientSecret, String name, Set<String> scopes) {
    }

    public record ClientToken(String accessToken, long expiresIn, Set<String> scopes) {
    }

    /** An OAuth 2.0 error (RFC 6749 section 5.2), answered in OAuth's own shape. */
    public static final class OAuthError extends RuntimeException {
        public final int status;
        public final String error;

        OAuthError(int status, String error, String description) {
            super(description);
            this.status = status;
            this.error = error;
        }
    }

    private final Permissions permissions;
    private final TokenIssuer issuer;
    private final AuthMetrics metrics;
    private final LoginThrottle throttle;
    private final int tokensPerHour;

    ClientService(Permissions permissions, TokenIssuer issuer, AuthMetrics metrics, LoginThrottle throttle,
            io.meridian.auth.config.AuthConfig config) {
        this.throttle = throttle;
        this.tokensPerHour = config.throttle().tokensPerClientPerHour();
        this.permissions = permissions;
        this.issuer = issuer;
        this.metrics = metrics;
    }

    @Transactional
    public Created create(String name, Set<String> scopes, UUID actor) {
        Set<String> known = permissions.known();
        Set<String> unknown = new TreeSet<>(scopes);
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw ProblemException.badRequest("Unknown scopes " + unknown + "; known: " + known + ".");
        }
        String secret = Secrets.newToken();
        OAuthClient client = new OAuthClient();
        client.clientId = "mc_" + UUID.randomUUID().toString().replace("-", "");
        client.name = name;
        client.secretHash = Secrets.sha256(secret);
        client.scopes = String.join(" ", new TreeSet<>(scopes));
        client.createdBy = actor;
        client.createdAt = Instant.now();
        client.persist();
        return new Created(client.clientId, secret, name, new TreeSet<>(scopes));
    }

    /** The client-credentials grant: a token with the requested scopes, or all the client's when none is asked. */
    @Transactional
    public ClientToken token(String grantType, String clientId, String clientSecret, String scope) {
        if (!"client_credentials".equals(grantType)) {
            throw new OAuthError(400, "unsupported_grant_type", "Only client_credentials is supported here.");
        }
        OAuthClient client = clientId == null ? null : OAuthClient.findById(clientId);
        // A random comparison hash when the client is unknown keeps both answers alike.
        String expected = client == null ? Secrets.sha256(Secrets.newToken()) : client.secretHash;
        if (clientSecret == null || !Secrets.sameHash(Secrets.sha256(clientSecret), expected) || client == null) {
            throw new OAuthError(401, "invalid_client", "Client authentication failed.");
        }
        // Keyed by the client that authenticated: another caller cannot spend it, and clients behind one address
        // do not share it.
        throttle.limit("client:" + client.clientId, tokensPerHour, java.time.Duration.ofHours(1), "tokens for this client");
        Set<String> allowed = new LinkedHashSet<>(Arrays.asList(client.scopes.split(" ")));
        allowed.remove("");
        Set<String> granted;
        if (scope == null || scope.isBlank()) {
            granted = allowed;
        } else {
            granted = new TreeSet<>(Arrays.asList(scope.trim().split("\\s+")));
            if (!allowed.containsAll(granted)) {
                throw new OAuthError(400, "invalid_scope", "The client may not have " + scope + ".");
            }
        }
        metrics.clientToken();
        return new ClientToken(issuer.forClient(client.clientId, granted), issuer.accessTokenSeconds(), granted);
    }
}
