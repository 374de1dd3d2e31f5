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

    /**
     * What applies to a namespace: explicit (stored) or the service's defaults. {@code maxEntries} and {@code maxBytes}
     * 0: no limit; {@code maxTtlSeconds} the longest TTL an entry may have.
     */
    public record Effective(String namespace, long defaultTtlSeconds, int maxEntries, long maxBytes,
            long maxTtlSeconds, boolean explicit, Instant updatedAt) {
    }

    /** What an admin sets; a null limit takes the default of the namespace's kind. */
    public record Requested(long defaultTtlSeconds, int maxEntries, Long maxBytes, Long maxTtlSeconds) {
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
        return NamespacePolicy.<NamespacePolicy>listAll().stream().map(this::effective)
                .collect(Collectors.toUnmodifiableMap(Effective::namespace, Function.identity()));
    }

    /** The policy of {@code namespace}: its own, or the defaults (user namespaces are bounded by default). */
    public Effective of(String namespace) {
        Effective own = snapshot.get(namespace);
        if (own != null) {
            return own;
        }
        long maxTtl = defaultMaxTtl(namespace);
        return new Effective(namespace, Math.min(config.defaultTtl().toSeconds(), maxTtl),
                Namespaces.isUserNamespace(namespace) ? config.userNamespaceMaxEntries() : 0,
                defaultMaxBytes(namespace), maxTtl, false, null);
    }

    /** Users' private namespaces are small by default; the services' are bounded by their policies only. */
    private long defaultMaxBytes(String namespace) {
        return Namespaces.isUserNamespace(namespace) ? config.userNamespaceMaxBytes().asLongValue() : 0;
    }

    private long defaultMaxTtl(String namespace) {
        return Namespaces.isUserNamespace(namespace)
                ? Math.min(config.userNamespaceMaxTtl().toSeconds(), config.maxTtl().toSeconds())
                : config.maxTtl().toSeconds();
    }

    public Optional<Effective> explicit(String namespace) {
        return Optional.ofNullable(snapshot.get(namespace));
    }

    /** Stores a namespace's policy and, once committed, applies it on this replica at once. */
    public Effective set(String namespace, Requested requested, String by) {
        Effective stored = store(namespace, requested, by);
        refresh();
        return stored;
    }

    @Transactional
    Effective store(String namespace, Requested requested, String by) {
        NamespacePolicy policy = NamespacePolicy.findById(namespace);
        if (policy == null) {
            policy = new NamespacePolicy();
            policy.name = namespace;
        }
        policy.defaultTtlSeconds = requested.defaultTtlSeconds();
        policy.maxEntries = requested.maxEntries();
        policy.maxBytes = requested.maxBytes() != null ? requested.maxBytes() : defaultMaxBytes(namespace);
        policy.maxTtlSeconds = requested.maxTtlSeconds() != null ? requested.maxTtlSeconds() : 0;
        policy.updatedAt = Instant.now();
        policy.updatedBy = by;
        policy.persist();
        return effective(policy);
    }

    private Effective effective(NamespacePolicy policy) {
        long maxTtl = policy.maxTtlSeconds > 0 ? Math.min(policy.maxTtlSeconds, config.maxTtl().toSeconds())
                : config.maxTtl().toSeconds();
        return new Effective(policy.name, Math.min(policy.defaultTtlSeconds, maxTtl), policy.maxEntries,
                policy.maxBytes, maxTtl, true, policy.updatedAt);
    }
}
