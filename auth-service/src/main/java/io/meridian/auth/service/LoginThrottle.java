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
 * Brute-force protection for password checks (logins and password changes), per account-and-address and per address
 * (ADR 0011). For an account from one address, each attempt first takes a numbered slot under a row lock, before the
 * password is checked, so parallel guesses get no more tries than serial ones; a success gives the slots back. For an
 * address (all accounts together; behind NAT, many people) only failed checks count, so any number of correct sign-ins
 * in flight at once never blocks it. Beyond the free attempts every further failure sets a delay that doubles (from
 * the first delay, 1 s by default, up to the maximum); a request inside the delay answers 429 with {@code Retry-After}.
 * Keying the account by address means an attacker who exhausts an account's attempts from one address does not lock its
 * owner out elsewhere. Each call is its own short transaction: callers hold no connection while they wait or hash.
 * <p>
 * The same table also holds fixed windows for limits on what needs no guessing protection but must not be spun
 * ({@link #limit}: refreshes per session, tokens per machine client).
 */
@ApplicationScoped
public class LoginThrottle {

    /** The account slot of password checks made with a session of the account, whatever the address. */
    private static final String HOLDER = "session-holder";

    private final EntityManager em;
    private final AuthConfig.Throttle config;

    LoginThrottle(EntityManager em, AuthConfig config) {
        this.em = em;
        this.config = config.throttle();
    }

    /**
     * Takes an attempt for this email from this address, or throws 429 while either is delayed. Must be followed by
     * {@link #succeeded} or {@link #failed}.
     */
    public void acquire(String email, String address) {
        take(email, address, address);
    }

    private void take(String email, String address, String accountSlot) {
        long wait = QuarkusTransaction.requiringNew().call(() -> {
            long addressWait = blockedFor(addressKey(address));
            return addressWait > 0 ? addressWait : take(accountKey(email, accountSlot), config.accountFreeAttempts());
        });
        if (wait > 0) {
            throw ProblemException.tooManyRequests("Too many failed sign-ins; try again in " + wait + " s.", wait);
        }
    }

    /**
     * Like {@link #acquire}, for a password check whose caller already holds one of the account's sessions (a password
     * change): the account's attempts count across every address, since a stolen token needs no sign-in and could
     * otherwise be spread over many addresses. Followed by {@link #succeededHolder} or {@link #failed}.
     */
    public void acquireHolder(String email, String address) {
        take(email, address, HOLDER);
    }

    /** A correct password from a session holder: the account's count starts over. */
    public void succeededHolder(String email) {
        succeeded(email, HOLDER);
    }

    /** A correct password: the account's count from this address starts over; the address' failures stay. */
    public void succeeded(String email, String address) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("delete from login_throttle where throttle_key = ?1")
                .setParameter(1, accountKey(email, address)).executeUpdate());
    }

    /** A wrong password: the account's slot stays taken, and the address counts one failure. */
    public void failed(String email, String address) {
        QuarkusTransaction.requiringNew().run(() -> take(addressKey(address), config.addressFreeAttempts()));
    }

    /**
     * A fixed window: at most {@code max} calls per {@code window} for {@code key} (one statement, atomic across
     * replicas), else 429 naming {@code what}. Joins the caller's transaction when there is one.
     */
    public void limit(String key, int max, Duration window, String what) {
        Instant now = Instant.now();
        Object[] row = QuarkusTransaction.joiningExisting().call(() -> (Object[]) em.createNativeQuery("""
                insert into login_throttle as t (throttle_key, failures, updated_at) values (?1, 1, ?2)
                on conflict (throttle_key) do update set
                  failures = case when t.updated_at < ?3 then 1 else t.failures + 1 end,
                  updated_at = case when t.updated_at < ?3 then excluded.updated_at else t.updated_at end
                returning failures, updated_at""")
                .setParameter(1, key).setParameter(2, Timestamp.from(now))
                .setParameter(3, Timestamp.from(now.minus(window))).getSingleResult());
        int count = ((Number) row[0]).intValue();
        if (count > max) {
            long wait = Math.max(1, Duration.between(now, instant(row[1]).plus(window)).toSeconds() + 1);
            throw ProblemException.tooManyRequests("Too many " + what + "; try again in " + wait + " s.", wait);
        }
    }

    /** Seconds the key is still delayed, 0 when it is not (reads only). */
    private long blockedFor(String key) {
        @SuppressWarnings("unchecked")
        var rows = (java.util.List<Object>) em.createNativeQuery(
                "select blocked_until from login_throttle where throttle_key = ?1")
                .setParameter(1, key).getResultList();
        Instant blockedUntil = rows.isEmpty() ? null : instant(rows.get(0));
        Instant now = Instant.now();
        return blockedUntil != null && blockedUntil.isAfter(now)
                ? Math.max(1, Duration.between(now, blockedUntil).toSeconds() + 1) : 0;
    }

    /** Counts one more attempt under the row lock. @return seconds to wait, or 0 when the attempt may go ahead */
    private long take(String key, int freeAttempts) {
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
