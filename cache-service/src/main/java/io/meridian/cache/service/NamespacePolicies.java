package io.meridian.cache.service;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.meridian.cache.config.CacheConfig;
import io.meridian.cache.domain.NamespacePolicy;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Namespace policies: stored in the {@code cache} schema, read on every write from a snapshot that each replica
 * refreshes every {@code policy-refresh} (and at once after its own changes), so a write never waits for the database.
 */
@ApplicationScoped
public class NamespacePolicies {

    private static final Logger LOG = Logger.getLogger(NamespacePolicies.class);

    /** What applies to a namespace: explicit (stored) or the service's defaults. */
    public record Effective(String namespace, long defaultTtlSeconds, int maxEntries, boolean explicit,
            Instant updatedAt) {
    }

    private final CacheConfig config;
    private volatile Map<String, Effective> snapshot = Map.of();

    NamespacePolicies(CacheConfig config) {
        this.config = config;
    }

    void load(@Observes StartupEvent start) {
        refresh();
    }

    @Scheduled(every = "${meridian.cache.policy-refresh:5s}", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refresh() {
        try {
            snapshot = read();
        } catch (RuntimeException e) {
            LOG.warnf("Could not read the namespace policies; keeping the last ones: %s", e.toString());
        }
    }

    @Transactional
    Map<String, Effective> read() {
        return NamespacePolicy.<NamespacePolicy>listAll().stream().map(NamespacePolicies::effective)
                .collect(Collectors.toUnmodifiableMap(Effective::namespace, Function.identity()));
    }

    /** The policy of {@code namespace}: its own, or the defaults (user namespaces are bounded by default). */
    public Effective of(String namespace) {
        Effective own = snapshot.get(namespace);
        if (own != null) {
            return own;
        }
        return new Effective(namespace, config.defaultTtl().toSeconds(),
                Namespaces.isUserNamespace(namespace) ? config.userNamespaceMaxEntries() : 0, false, null);
    }

    public Optional<Effective> explicit(String namespace) {
        return Optional.ofNullable(snapshot.get(namespace));
    }

    /** Stores a namespace's policy and, once committed, applies it on this replica at once. */
    public Effective set(String namespace, long defaultTtlSeconds, int maxEntries, String by) {
        Effective stored = store(namespace, defaultTtlSeconds, maxEntries, by);
        refresh();
        return stored;
    }

    @Transactional
    Effective store(String namespace, long defaultTtlSeconds, int maxEntries, String by) {
        NamespacePolicy policy = NamespacePolicy.findById(namespace);
        if (policy == null) {
            policy = new NamespacePolicy();
            policy.name = namespace;
        }
        policy.defaultTtlSeconds = defaultTtlSeconds;
        policy.maxEntries = maxEntries;
        policy.updatedAt = Instant.now();
        policy.updatedBy = by;
        policy.persist();
        return effective(policy);
    }

    private static Effective effective(NamespacePolicy policy) {
        return new Effective(policy.name, policy.defaultTtlSeconds, policy.maxEntries, true, policy.updatedAt);
    }
}
