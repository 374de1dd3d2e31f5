package io.meridian.auth.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.meridian.auth.config.AuthConfig;
import io.meridian.auth.domain.RefreshToken;
import io.meridian.auth.domain.User;
import io.meridian.auth.domain.UserSession;
import io.meridian.platform.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Logins, sessions and their tokens. A login opens a session and gives a token pair; each refresh spends the refresh
 * token and gives a new pair; a spent refresh token presented again revokes the whole session (it was stolen, or
 * the client is broken). Revoked sessions reach the Redis deny-list after commit.
 */
@ApplicationScoped
public class SessionService {

    private static final Logger LOG = Logger.getLogger(SessionService.class);
    private static final String INVALID_LOGIN = "The email or password is not correct.";

    private final AuthConfig config;
    private final PasswordHasher hasher;
    private final LoginThrottle throttle;
    private final TokenIssuer issuer;
    private final Permissions permissions;
    private final RevokedSessions revoked;
    private final AuthMetrics metrics;

    SessionService(AuthConfig config, PasswordHasher hasher, LoginThrottle throttle, TokenIssuer issuer,
            Permissions permissions, RevokedSessions revoked, AuthMetrics metrics) {
        this.config = config;
        this.hasher = hasher;
        this.throttle = throttle;
        this.issuer = issuer;
        this.permissions = permissions;
        this.revoked = revoked;
        this.metrics = metrics;
    }

    /**
     * Checks the password (throttled per account and address) and opens a session. The hash is checked outside any
     * transaction: no database connection is held while Argon2 runs.
     */
    public TokenPair login(String email, String password, String address, String userAgent) {
        String normalized = User.normalize(email);
        try {
            throttle.acquire(normalized, address);
        } catch (ProblemException throttled) {
            metrics.loginFailed("throttled");
            metrics.lockout();
            throw throttled;
        }
        Credentials found = QuarkusTransaction.requiringNew().call(() -> User.findByEmail(normalized)
                .filter(user -> user.passwordHash != null).map(user -> new Credentials(user.id, user.passwordHash))
                .orElse(null));
        boolean correct;
        if (found == null) {
            hasher.verifyDecoy(password);
            correct = false;
        } else {
            correct = hasher.verify(password, found.passwordHash());
        }
        if (!correct) {
            throttle.failed(normalized, address);
            metrics.loginFailed("bad-credentials");
            throw ProblemException.unauthorized(INVALID_LOGIN);
        }
        String rehashed = hasher.needsRehash(found.passwordHash()) ? hasher.hash(password) : null;
        TokenPair pair = QuarkusTransaction.requiringNew().call(() -> {
            User user = User.findById(found.userId());
            if (user == null) {
                return null; // deleted meanwhile
            }
            if (rehashed != null && found.passwordHash().equals(user.passwordHash)) {
                user.passwordHash = rehashed;
                user.updatedAt = Instant.now();
                LOG.debugf("Rehashed the password of %s with the current parameters", user.id);
            }
            return open(user, address, userAgent);
        });
        if (pair == null) {
            throttle.failed(normalized, address);
            metrics.loginFailed("bad-credentials");
            throw ProblemException.unauthorized(INVALID_LOGIN);
        }
        throttle.succeeded(normalized, address);
        metrics.loginSucceeded();
        return pair;
    }

    /** What a password check needs of an account, read in a short transaction. */
    private record Credentials(UUID userId, String passwordHash) {
    }

    /** Opens a session for an already authenticated user (password or external provider). */
    @Transactional
    public TokenPair open(User user, String address, String userAgent) {
        Instant now = Instant.now();
        UserSession session = new UserSession();
        session.id = UUID.randomUUID();
        session.userId = user.id;
        session.ip = address;
        session.userAgent = userAgent == null ? null : userAgent.substring(0, Math.min(300, userAgent.length()));
        session.createdAt = now;
        session.lastUsedAt = now;
        session.expiresAt = now.plus(config.tokens().sessionMaxAge());
        session.persist();
        return issue(user, session, now);
    }

    /** Spends the refresh token and gives a new pair; a spent token revokes its session. */
    @Transactional(dontRollbackOn = ProblemException.class)
    public TokenPair refresh(String refreshToken, String address, String userAgent) {
        Instant now = Instant.now();
        RefreshToken token = refreshToken == null ? null
                : RefreshToken.findById(Secrets.sha256(refreshToken), jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (token == null) {
            metrics.refreshRejected("unknown");
            throw ProblemException.unauthorized("The refresh token is not valid.");
        }
        UserSession session = UserSession.findById(token.sessionId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (token.spentAt != null) {
            if (session != null && session.revokedAt == null) {
                revoke(List.of(session), "refresh-token-reuse");
                LOG.warnf("Spent refresh token presented again: session %s of user %s revoked", session.id, session.userId);
            }
            metrics.refreshRejected("reused");
            throw ProblemException.unauthorized("The refresh token was already used; the session is closed.");
        }
        if (session == null || !session.isActive(now) || token.expiresAt.isBefore(now)) {
            metrics.refreshRejected("expired");
            throw ProblemException.unauthorized("The session has ended; sign in again.");
        }
        // Keyed by what it protects: the session (a refresh token cannot be guessed, so no address is involved).
        throttle.limit("refresh:" + session.id, config.throttle().refreshesPerSessionPerHour(), java.time.Duration.ofHours(1),
                "token refreshes for this session");
        token.spentAt = now;
        session.lastUsedAt = now;
        if (address != null) {
            session.ip = address;
        }
        User user = User.findById(session.userId);
        metrics.refreshed();
        return issue(user, session, now);
    }

    /** Ends the caller's session, and the one the refresh token belongs to when it is the caller's too. */
    @Transactional
    public void logout(UUID userId, UUID currentSessionId, String refreshToken) {
        List<UserSession> toRevoke = new ArrayList<>();
        if (currentSessionId != null) {
            UserSession current = UserSession.findById(currentSessionId);
            if (current != null && current.userId.equals(userId)) {
                toRevoke.add(current);
            }
        }
        if (refreshToken != null) {
            RefreshToken token = RefreshToken.findById(Secrets.sha256(refreshToken));
            UserSession session = token == null ? null : UserSession.findById(token.sessionId);
            if (session != null && session.userId.equals(userId) && !toRevoke.contains(session)) {
                toRevoke.add(session);
            }
        }
        revoke(toRevoke, "logout");
    }

    public List<UserSession> sessionsOf(UUID userId) {
        return UserSession.activeOf(userId, Instant.now());
    }

    /** Revokes one of the user's own sessions; another user's is reported as not found. */
    @Transactional
    public void revokeOwn(UUID userId, UUID sessionId) {
        UserSession session = UserSession.findById(sessionId);
        if (session == null || !session.userId.equals(userId) || !session.isActive(Instant.now())) {
            throw ProblemException.notFound("No session " + sessionId + ".");
        }
        revoke(List.of(session), "revoked-by-owner");
    }

    /** Revokes every live session of the user except {@code keep} (may be null). */
    @Transactional
    public void revokeAll(UUID userId, UUID keep, String reason) {
        List<UserSession> sessions = UserSession.activeOf(userId, Instant.now()).stream()
                .filter(session -> !session.id.equals(keep)).toList();
        revoke(sessions, reason);
    }

    /** Whether the session can still be used: its access tokens are refused once it is not. */
    @Transactional
    public boolean isActive(UUID sessionId) {
        UserSession session = UserSession.findById(sessionId);
        return session != null && session.isActive(Instant.now());
    }

    private void revoke(List<UserSession> sessions, String reason) {
        Instant now = Instant.now();
        for (UserSession session : sessions) {
            session.revokedAt = now;
            session.revokedReason = reason;
        }
        revoked.afterCommit(sessions.stream().map(session -> session.id).toList());
    }

    private TokenPair issue(User user, UserSession session, Instant now) {
        String refresh = Secrets.newToken();
        RefreshToken token = new RefreshToken();
        token.tokenHash = Secrets.sha256(refresh);
        token.sessionId = session.id;
        token.issuedAt = now;
        Instant refreshExpiry = now.plus(config.tokens().refreshTokenTtl());
        token.expiresAt = refreshExpiry.isAfter(session.expiresAt) ? session.expiresAt : refreshExpiry;
        token.persist();
        String access = issuer.forUser(user.id, user.email, user.roles, permissions.of(user.roles), session.id);
        return new TokenPair(access, refresh, "Bearer", issuer.accessTokenSeconds(),
                java.time.Duration.between(now, token.expiresAt).toSeconds());
    }
}
