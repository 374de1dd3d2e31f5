package io.meridian.auth.service;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.meridian.auth.domain.SigningKey;
import io.meridian.auth.domain.UserSession;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;

/**
 * Counters for analytics: registrations, logins by outcome, refreshes, lockouts, active sessions; and the age of the
 * signing key in use, for the alert that rotation has stopped.
 */
@ApplicationScoped
public class AuthMetrics {

    private final MeterRegistry registry;
    private final java.util.concurrent.atomic.AtomicLong activeSessions = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong signingKeyAge = new java.util.concurrent.atomic.AtomicLong();

    AuthMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("meridian.auth.sessions.active", activeSessions, java.util.concurrent.atomic.AtomicLong::get)
                .description("Sessions neither revoked nor expired").register(registry);
        Gauge.builder("meridian.auth.signing.key.age", signingKeyAge, java.util.concurrent.atomic.AtomicLong::get)
                .baseUnit("seconds").description("Age of the key that signs tokens now").register(registry);
    }

    public void registered() {
        registry.counter("meridian.auth.registrations").increment();
    }

    public void loginSucceeded() {
        registry.counter("meridian.auth.logins", "outcome", "success", "reason", "none").increment();
    }

    /** reason: bad-credentials or throttled. */
    public void loginFailed(String reason) {
        registry.counter("meridian.auth.logins", "outcome", "failure", "reason", reason).increment();
    }

    public void lockout() {
        registry.counter("meridian.auth.lockouts").increment();
    }

    public void refreshed() {
        registry.counter("meridian.auth.refreshes", "outcome", "success").increment();
    }

    public void refreshRejected(String reason) {
        registry.counter("meridian.auth.refreshes", "outcome", reason).increment();
    }

    public void clientToken() {
        registry.counter("meridian.auth.client-tokens").increment();
    }

    @Scheduled(identity = "auth-active-sessions", every = "30s",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    public void sampleGauges() {
        activeSessions.set(QuarkusTransaction.requiringNew().call(
                () -> UserSession.count("revokedAt is null and expiresAt > ?1", Instant.now())));
        Instant signingSince = QuarkusTransaction.requiringNew().call(() -> SigningKey.<SigningKey>find(
                "retiredAt is null order by createdAt desc").firstResultOptional().map(k -> k.createdAt).orElse(null));
        signingKeyAge.set(signingSince == null ? 0 : java.time.Duration.between(signingSince, Instant.now()).toSeconds());
    }
}
