package io.meridian.auth.service;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import io.meridian.auth.config.AuthConfig;
import io.meridian.platform.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Brute-force protection for logins, per account-and-address and per address. Each attempt first takes a numbered
 * slot under a row lock, before the password is checked, so parallel guesses get no more tries than serial ones.
 * Beyond the free attempts every further one sets a delay that doubles (from the first delay, 1 s by default, up to the maximum);
 * a request inside the delay answers 429 with {@code Retry-After}. Keying the account by address means an attacker
 * who exhausts an account's attempts from one address does not lock its owner out elsewhere.
 */
@ApplicationScoped
public class LoginThrottle {

    private final EntityManager em;
    private final AuthConfig.Throttle config;

    LoginThrottle(EntityManager em, AuthConfig config) {
        this.em = em;
        this.config = config.throttle();
    }

    /** Takes an attempt for this email from this address, or throws 429 while either is delayed. */
    public void acquire(String email, String address) {
        long wait = take(accountKey(email, address), config.accountFreeAttempts());
        if (wait == 0) {
            wait = take(addressKey(address), config.addressFreeAttempts());
        }
        if (wait > 0) {
            throw ProblemException.tooManyRequests("Too many failed sign-ins; try again in " + wait + " s.", wait);
        }
    }

    /** A successful login: the account's count starts over, and the attempt does not count against the address. */
    public void succeeded(String email, String address) {
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("delete from login_throttle where throttle_key = ?1")
                    .setParameter(1, accountKey(email, address)).executeUpdate();
            em.createNativeQuery("update login_throttle set failures = greatest(failures - 1, 0) where throttle_key = ?1")
                    .setParameter(1, addressKey(address)).executeUpdate();
        });
    }

    /** @return seconds to wait, or 0 when the attempt may go ahead */
    private long take(String key, int freeAttempts) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Instant now = Instant.now();
            em.createNativeQuery("""
                    insert into login_throttle (throttle_key, failures, updated_at) values (?1, 0, ?2)
                    on conflict (throttle_key) do nothing""")
                    .setParameter(1, key).setParameter(2, Timestamp.from(now)).executeUpdate();
            Object[] row = (Object[]) em.createNativeQuery(
                    "select failures, blocked_until, updated_at from login_throttle where throttle_key = ?1 for update")
                    .setParameter(1, key).getSingleResult();
            int failures = ((Number) row[0]).intValue();
            Instant blockedUntil = instant(row[1]);
            Instant updatedAt = instant(row[2]);
            if (blockedUntil != null && blockedUntil.isAfter(now)) {
                return Math.max(1, Duration.between(now, blockedUntil).toSeconds() + 1);
            }
            int attempt = updatedAt != null && updatedAt.plus(config.window()).isBefore(now) ? 1 : failures + 1;
            Instant nextBlock = attempt > freeAttempts ? now.plus(delay(attempt - freeAttempts)) : null;
            em.createNativeQuery("update login_throttle set failures = ?1, blocked_until = ?2, updated_at = ?3 where throttle_key = ?4")
                    .setParameter(1, attempt)
                    .setParameter(2, nextBlock == null ? null : Timestamp.from(nextBlock))
                    .setParameter(3, Timestamp.from(now))
                    .setParameter(4, key).executeUpdate();
            return 0L;
        });
    }

    private Duration delay(int beyondFree) {
        Duration delay = config.firstDelay().multipliedBy(1L << Math.min(beyondFree - 1, 20));
        return delay.compareTo(config.maxDelay()) > 0 ? config.maxDelay() : delay;
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof java.time.OffsetDateTime offset) {
            return offset.toInstant();
        }
        throw new IllegalStateException("unexpected time type " + value.getClass());
    }

    private static String accountKey(String email, String address) {
        return "account:" + email + "|" + address;
    }

    private static String addressKey(String address) {
        return "address:" + address;
    }
}
