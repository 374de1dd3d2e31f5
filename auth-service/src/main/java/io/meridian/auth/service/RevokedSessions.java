package io.meridian.auth.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;

import org.jboss.logging.Logger;

import io.meridian.auth.config.AuthConfig;
import io.meridian.auth.domain.UserSession;
import io.meridian.platform.security.RevokedSessionKeys;
import io.meridian.platform.tx.AfterCommit;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ValueCommands;
import io.quarkus.scheduler.Scheduled;

/**
 * Publishes revoked sessions (users' sessions and machine clients' token sessions) to the Redis deny-list that the gateway and services consult, so that a revoked
 * session's access tokens stop working at once rather than when they expire. The database stays the truth: if Redis
 * is unreachable at revocation time, the resync job writes the entry when it returns, and auth-service itself checks
 * sessions in the database.
 */
@ApplicationScoped
public class RevokedSessions {

    private static final Logger LOG = Logger.getLogger(RevokedSessions.class);

    private final ValueCommands<String, String> redis;
    private final TransactionSynchronizationRegistry transactions;
    private final Duration entryLifetime;

    RevokedSessions(RedisDataSource redis, TransactionSynchronizationRegistry transactions, AuthConfig config) {
        this.redis = redis.value(String.class);
        this.transactions = transactions;
        this.entryLifetime = config.tokens().accessTokenTtl().plus(config.tokens().clockSkew());
    }

    /** Adds the sessions to the deny-list once the current transaction commits. */
    public void afterCommit(Collection<UUID> sessionIds) {
        if (sessionIds.isEmpty()) {
            return;
        }
        List<UUID> ids = List.copyOf(sessionIds);
        AfterCommit.run(transactions, () -> publish(ids));
    }

    private void publish(Collection<UUID> ids) {
        try {
            for (UUID id : ids) {
                redis.setex(RevokedSessionKeys.key(id), entryLifetime.toSeconds(), "1");
            }
        } catch (RuntimeException e) {
            LOG.warnf("Revoked sessions not yet on the Redis deny-list (%s); the resync job will retry", e.getMessage());
        }
    }

    /** Rewrites every session revoked within a token's lifetime: repairs what a Redis outage missed. */
    @Scheduled(identity = "revoked-sessions-resync", every = "30s",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class, delayed = "10s")
    void resync() {
        Instant since = Instant.now().minus(entryLifetime);
        List<UUID> recent = QuarkusTransaction.requiringNew().call(() -> {
            List<UUID> ids = new java.util.ArrayList<>(UserSession.<UserSession>list("revokedAt > ?1", since)
                    .stream().map(session -> session.id).toList());
            // machine clients' token sessions, revoked by disabling, deleting or rotating the client
            @SuppressWarnings("unchecked")
            List<UUID> clients = UserSession.getEntityManager().createNativeQuery(
                    "select session_id from revoked_client_session where revoked_at > ?1", UUID.class)
                    .setParameter(1, java.sql.Timestamp.from(since)).getResultList();
            ids.addAll(clients);
            return ids;
        });
        publish(recent);
    }
}
