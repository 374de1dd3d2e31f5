package io.meridian.auth.service;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
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
    private final RevokedSessions revoked;
    private final Set<String> grantable;
    private final int tokensPerHour;

    ClientService(Permissions permissions, TokenIssuer issuer, AuthMetrics metrics, LoginThrottle throttle,
            RevokedSessions revoked, io.meridian.auth.config.AuthConfig config) {
        this.throttle = throttle;
        this.revoked = revoked;
        this.grantable = Set.copyOf(config.clients().grantableScopes());
        this.tokensPerHour = config.throttle().tokensPerClientPerHour();
        this.permissions = permissions;
        this.issuer = issuer;
        this.metrics = metrics;
    }

    /**
     * Creates a client. Only scopes some service checks for machine clients can be granted
     * ({@code meridian.auth.clients.grantable-scopes}); a scope nothing honours would be a promise nobody keeps.
     */
    @Transactional
    public Created create(String name, Set<String> scopes, UUID actor) {
        Set<String> grantable = new TreeSet<>(permissions.known());
        grantable.retainAll(this.grantable);
        Set<String> unknown = new TreeSet<>(scopes);
        unknown.removeAll(grantable);
        if (!unknown.isEmpty()) {
            throw ProblemException.badRequest("Scopes " + unknown + " cannot be granted to a machine client; grantable: "
                    + grantable + ".");
        }
        String secret = Secrets.newToken();
        OAuthClient client = new OAuthClient();
        client.clientId = "mc_" + UUID.randomUUID().toString().replace("-", "");
        client.name = name;
        client.secretHash = Secrets.sha256(secret);
        client.scopes = String.join(" ", new TreeSet<>(scopes));
        client.createdBy = actor;
        client.createdAt = Instant.now();
        client.enabled = true;
        client.tokenSession = UUID.randomUUID();
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
        if (clientSecret == null || !Secrets.sameHash(Secrets.sha256(clientSecret), expected) || client == null
                || !client.enabled) {
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
        return new ClientToken(issuer.forClient(client.clientId, granted, client.tokenSession), issuer.accessTokenSeconds(),
                granted);
    }

    public List<OAuthClient> list() {
        return OAuthClient.<OAuthClient>listAll(io.quarkus.panache.common.Sort.by("createdAt"));
    }

    /** A new secret (shown once); the old one stops working, and so does every token issued with it. */
    @Transactional
    public Created rotateSecret(String clientId) {
        OAuthClient client = find(clientId);
        String secret = Secrets.newToken();
        client.secretHash = Secrets.sha256(secret);
        client.secretRotatedAt = Instant.now();
        revokeTokens(client);
        return new Created(client.clientId, secret, client.name, scopesOf(client));
    }

    /** Disabled: no new tokens, and the outstanding ones are refused at once everywhere (the deny-list). */
    @Transactional
    public void setEnabled(String clientId, boolean enabled) {
        OAuthClient client = find(clientId);
        if (client.enabled == enabled) {
            return;
        }
        client.enabled = enabled;
        if (!enabled) {
            revokeTokens(client);
        }
    }

    @Transactional
    public void delete(String clientId) {
        OAuthClient client = find(clientId);
        revokeTokens(client);
        client.delete();
    }

    /** Whether a client's token (its subject and sid) may still be used. */
    @Transactional
    public boolean isActive(String clientId, UUID tokenSession) {
        OAuthClient client = OAuthClient.findById(clientId);
        return client != null && client.enabled && tokenSession.equals(client.tokenSession);
    }

    private void revokeTokens(OAuthClient client) {
        UUID revoked = client.tokenSession;
        client.tokenSession = UUID.randomUUID();
        OAuthClient.getEntityManager().createNativeQuery(
                "insert into revoked_client_session (session_id, client_id, revoked_at) values (?1, ?2, ?3)")
                .setParameter(1, revoked).setParameter(2, client.clientId)
                .setParameter(3, java.sql.Timestamp.from(Instant.now())).executeUpdate();
        this.revoked.afterCommit(List.of(revoked));
    }

    private static OAuthClient find(String clientId) {
        OAuthClient client = clientId == null ? null : OAuthClient.findById(clientId, LockModeType.PESSIMISTIC_WRITE);
        if (client == null) {
            throw ProblemException.notFound("No machine client " + clientId + ".");
        }
        return client;
    }

    public static Set<String> scopesOf(OAuthClient client) {
        Set<String> scopes = new TreeSet<>(Arrays.asList(client.scopes.split(" ")));
        scopes.remove("");
        return scopes;
    }
}
