package io.meridian.auth.service;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.meridian.auth.config.AuthConfig;
import io.meridian.auth.domain.OneTimeToken;
import io.meridian.auth.domain.User;
import io.meridian.auth.domain.UserSession;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Background jobs: creates the first admin from configuration, and purges what has expired (sessions, their
 * refresh tokens, one-time tokens, old throttle rows). Key rotation is in {@link SigningKeys}; published outbox rows
 * are purged by the platform's relay.
 */
@ApplicationScoped
public class AuthJobs {

    private static final Logger LOG = Logger.getLogger(AuthJobs.class);

    private final AuthConfig config;
    private final AccountService accounts;
    private final PasswordHasher hasher;
    private final PasswordPolicy policy;

    AuthJobs(AuthConfig config, AccountService accounts, PasswordHasher hasher, PasswordPolicy policy) {
        this.config = config;
        this.accounts = accounts;
        this.hasher = hasher;
        this.policy = policy;
    }

    @Transactional
    void createConfiguredAccounts(@Observes StartupEvent startup) {
        var admin = config.bootstrapAdmin();
        seed(admin.email(), admin.password(), admin.displayName(), java.util.Set.of("user", "admin"));
        var demo = config.demoUser();
        seed(demo.email(), demo.password(), demo.displayName(), java.util.Set.of("user"));
    }

    private void seed(java.util.Optional<String> email, java.util.Optional<String> password, String displayName,
            java.util.Set<String> roles) {
        if (email.isEmpty() || email.get().isBlank() || password.isEmpty() || User.findByEmail(email.get()).isPresent()) {
            return;
        }
        policy.check("password", password.get(), email.get());
        User user = accounts.create(email.get(), displayName, hasher.hash(password.get()), roles, true);
        LOG.infof("Created the configured account %s with roles %s", user.email, roles);
    }

    @Scheduled(identity = "auth-purge", every = "1h",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class, delayed = "3m")
    @Transactional
    void purgeExpired() {
        Instant now = Instant.now();
        // Revoked sessions stay a day for the owner's and operators' view; refresh tokens go with them (cascade).
        long sessions = UserSession.delete("expiresAt < ?1 or revokedAt < ?2", now, now.minus(java.time.Duration.ofDays(1)));
        long tokens = OneTimeToken.delete("expiresAt < ?1 or usedAt < ?2", now, now.minus(java.time.Duration.ofDays(1)));
        int throttles = UserSession.getEntityManager()
                .createNativeQuery("delete from login_throttle where updated_at < ?1 and (blocked_until is null or blocked_until < ?2)")
                .setParameter(1, java.sql.Timestamp.from(now.minus(config.throttle().window())))
                .setParameter(2, java.sql.Timestamp.from(now)).executeUpdate();
        long logins = io.meridian.auth.domain.OidcLogin.delete("expiresAt < ?1", now);
        // a revoked client token session matters only while a token of it could still be alive
        UserSession.getEntityManager().createNativeQuery("delete from revoked_client_session where revoked_at < ?1")
                .setParameter(1, java.sql.Timestamp.from(now.minus(java.time.Duration.ofDays(1)))).executeUpdate();
        if (sessions + tokens + throttles + logins > 0) {
            LOG.infof("Purged %d sessions, %d one-time tokens, %d throttle rows, %d abandoned external sign-ins",
                    sessions, tokens, throttles, logins);
        }
    }
}
