package io.meridian.auth.service;

import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.meridian.auth.config.AuthConfig;
import io.meridian.auth.domain.OneTimeToken;
import io.meridian.auth.domain.User;
import io.meridian.auth.messaging.UserEvents;
import io.meridian.platform.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;

/** Accounts: registration, email verification, password changes and resets. Mail goes out through events. */
@ApplicationScoped
public class AccountService {

    private final AuthConfig config;
    private final PasswordHasher hasher;
    private final PasswordPolicy policy;
    private final SessionService sessions;
    private final UserEvents events;
    private final AuthMetrics metrics;
    private final LoginThrottle throttle;

    AccountService(AuthConfig config, PasswordHasher hasher, PasswordPolicy policy, SessionService sessions,
            UserEvents events, AuthMetrics metrics, LoginThrottle throttle) {
        this.throttle = throttle;
        this.config = config;
        this.hasher = hasher;
        this.policy = policy;
        this.sessions = sessions;
        this.events = events;
        this.metrics = metrics;
    }

    /** Registers an account; the password is hashed before the transaction starts (no connection held meanwhile). */
    public User register(String email, String password, String displayName) {
        String normalized = User.normalize(email);
        policy.check("password", password, normalized);
        String hash = hasher.hash(password);
        return QuarkusTransaction.requiringNew().call(() -> {
            if (User.findByEmail(normalized).isPresent()) {
                throw ProblemException.conflict("An account with this email exists already.");
            }
            User user = create(normalized, displayName, hash, Set.of("user"), false);
            try {
                User.flush();
            } catch (jakarta.persistence.PersistenceException e) {
                // Registered by a parallel request between the check above and this insert.
                throw ProblemException.conflict("An account with this email exists already.");
            }
            events.registered(user);
            requestVerification(user);
            metrics.registered();
            return user;
        });
    }

    /**
     * Creates an account without a registration event (the bootstrap admin, linked external identities); an address
     * that is proved already is announced as verified.
     */
    @Transactional
    public User create(String email, String displayName, String passwordHash, Set<String> roles, boolean verified) {
        Instant now = Instant.now();
        User user = new User();
        user.id = UUID.randomUUID();
        user.email = User.normalize(email);
        user.displayName = displayName;
        user.passwordHash = passwordHash;
        user.emailVerified = verified;
        user.roles = new HashSet<>(roles);
        user.createdAt = now;
        user.updatedAt = now;
        user.persist();
        if (verified) {
            events.emailVerified(user); // email-service learns which addresses are proved (ADR 0011)
        }
        return user;
    }

    @Transactional
    public void verifyEmail(String token) {
        OneTimeToken spent = spend(token, OneTimeToken.Purpose.VERIFY_EMAIL);
        User user = User.findById(spent.userId);
        if (!user.emailVerified) {
            user.emailVerified = true;
            user.updatedAt = Instant.now();
            events.emailVerified(user);
        }
    }

    /**
     * Changes the password of a signed-in user; every other session of theirs ends. The throttle is checked before any
     * transaction and both hashes are computed outside one, so a flood of wrong attempts holds no database connection
     * while Argon2 runs.
     */
    public void changePassword(UUID userId, UUID currentSessionId, String currentPassword, String newPassword,
            String address) {
        String[] account = QuarkusTransaction.requiringNew().call(() -> {
            User user = User.findById(userId);
            return user == null ? null : new String[] { user.email, user.passwordHash };
        });
        if (account == null) {
            throw ProblemException.notFound("No such account.");
        }
        String email = account[0];
        String currentHash = account[1];
        // Guessing the current password with a stolen access token is throttled like a login, and per account across
        // addresses: parallel guesses from many addresses get no more hashes than serial ones.
        throttle.acquireHolder(email, address);
        if (currentHash == null || !hasher.verify(currentPassword, currentHash)) {
            throttle.failed(email, address);
            throw ProblemException.invalidField("currentPassword", "is not correct");
        }
        throttle.succeededHolder(email);
        policy.check("newPassword", newPassword, email);
        String newHash = hasher.hash(newPassword);
        QuarkusTransaction.requiringNew().run(() -> {
            User user = User.findById(userId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
            if (user == null) {
                throw ProblemException.notFound("No such account.");
            }
            if (!java.util.Objects.equals(user.passwordHash, currentHash)) {
                throw ProblemException.conflict("The password was changed meanwhile; sign in again.");
            }
            setPassword(user, newHash);
            sessions.revokeAll(user.id, currentSessionId, "password-changed");
            events.passwordChanged(user, "change");
        });
    }

    /** Sends a reset link when the account exists; answers the same either way, and publishes nothing otherwise. */
    @Transactional
    public void requestPasswordReset(String email) {
        Optional<User> user = User.findByEmail(email);
        if (user.isEmpty()) {
            return;
        }
        Instant expiresAt = Instant.now().plus(config.tokens().passwordResetTtl());
        String token = issue(user.get().id, OneTimeToken.Purpose.PASSWORD_RESET, expiresAt);
        events.passwordResetRequested(user.get(), token, expiresAt);
    }

    /**
     * Sets the new password with a reset token (spent by this); every session of the account ends. The new password is
     * checked and hashed before the transaction that spends the token.
     */
    public void confirmPasswordReset(String token, String newPassword) {
        String email = QuarkusTransaction.requiringNew().call(() -> {
            OneTimeToken row = token == null ? null : OneTimeToken.findById(Secrets.sha256(token));
            User user = row == null || row.purpose != OneTimeToken.Purpose.PASSWORD_RESET ? null : User.findById(row.userId);
            return user == null ? null : user.email;
        });
        if (email == null) {
            throw ProblemException.badRequest("The token is not valid, was already used, or has expired.");
        }
        policy.check("newPassword", newPassword, email);
        String hash = hasher.hash(newPassword);
        QuarkusTransaction.requiringNew().run(() -> {
            OneTimeToken spent = spend(token, OneTimeToken.Purpose.PASSWORD_RESET);
            User user = User.findById(spent.userId);
            setPassword(user, hash);
            // Whoever could read the mail could have signed in; the owner just proved the mailbox is theirs.
            if (!user.emailVerified) {
                user.emailVerified = true;
                events.emailVerified(user);
            }
            sessions.revokeAll(user.id, null, "password-reset");
            events.passwordChanged(user, "reset");
        });
    }

    private void requestVerification(User user) {
        Instant expiresAt = Instant.now().plus(config.tokens().emailVerificationTtl());
        String token = issue(user.id, OneTimeToken.Purpose.VERIFY_EMAIL, expiresAt);
        events.emailVerificationRequested(user, token, expiresAt);
    }

    private static void setPassword(User user, String passwordHash) {
        user.passwordHash = passwordHash;
        user.updatedAt = Instant.now();
        // Reset links sent earlier must not outlive the password they were meant to replace.
        OneTimeToken.update("usedAt = ?1 where userId = ?2 and purpose = ?3 and usedAt is null", Instant.now(), user.id,
                OneTimeToken.Purpose.PASSWORD_RESET);
    }

    private static String issue(UUID userId, OneTimeToken.Purpose purpose, Instant expiresAt) {
        String token = Secrets.newToken();
        OneTimeToken row = new OneTimeToken();
        row.tokenHash = Secrets.sha256(token);
        row.userId = userId;
        row.purpose = purpose;
        row.createdAt = Instant.now();
        row.expiresAt = expiresAt;
        row.persist();
        return token;
    }

    private static OneTimeToken spend(String token, OneTimeToken.Purpose purpose) {
        OneTimeToken row = token == null ? null
                : OneTimeToken.findById(Secrets.sha256(token), jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        Instant now = Instant.now();
        if (row == null || row.purpose != purpose || row.usedAt != null || row.expiresAt.isBefore(now)) {
            throw ProblemException.badRequest("The token is not valid, was already used, or has expired.");
        }
        row.usedAt = now;
        return row;
    }
}
