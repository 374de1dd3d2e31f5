package io.meridian.cache.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.meridian.cache.config.CacheConfig;
import io.meridian.cache.service.CacheStore.Entry;
import io.meridian.cache.service.CacheStore.NewEntry;
import io.meridian.platform.problem.ProblemException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * The cache's rules: TTLs (the request's, else the namespace policy's, at most {@code max-ttl}), entry limits, and the
 * hit and miss counters (per replica for Prometheus; the shared, exact ones are kept in Redis by {@link CacheStore}).
 */
@ApplicationScoped
public class CacheService {

    /** One namespace's figures, as {@code GET /api/cache/stats} shows them. */
    public record NamespaceStats(String name, long keys, long hits, long misses, double hitRatio, long bytes) {
    }

    public record Stats(List<NamespaceStats> namespaces, long namespaceCount, CacheStore.RedisInfo redis) {
    }

    private final CacheStore store;
    private final NamespacePolicies policies;
    private final CacheConfig config;
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

    CacheService(CacheStore store, NamespacePolicies policies, CacheConfig config, MeterRegistry registry) {
        this.store = store;
        this.policies = policies;
        this.config = config;
        this.registry = registry;
    }

    /**
     * The TTL in seconds to use: the request's when given (validated against the namespace's longest), else the
     * namespace policy's.
     */
    public long ttlSeconds(String namespace, Long requested, String field) {
        NamespacePolicies.Effective policy = policies.of(namespace);
        long longest = Math.min(policy.maxTtlSeconds(), config.maxTtl().toSeconds());
        if (requested == null) {
            return Math.min(policy.defaultTtlSeconds(), longest);
        }
        if (requested < 1 || requested > longest) {
            throw ProblemException.invalidField(field, "must be between 1 and " + longest + " seconds in " + namespace);
        }
        return requested;
    }

    /**
     * Writes the entries; the namespace's least recently used entries beyond its entry or byte limit make room. More
     * bytes in one write than the namespace may hold at all: 413 naming its quota.
     */
    public Uni<Long> put(String namespace, List<NewEntry> entries) {
        NamespacePolicies.Effective policy = policies.of(namespace);
        long bytes = entries.stream().mapToLong(e -> e.value().length).sum();
        if (policy.maxBytes() > 0 && bytes > policy.maxBytes()) {
            throw ProblemException.overQuota("namespaceBytes", "the values of " + namespace, policy.maxBytes(), 0,
                    bytes, true);
        }
        return store.put(namespace, entries, policy.maxEntries(), policy.maxBytes());
    }

    public Uni<List<Entry>> get(String namespace, List<String> keys) {
        return store.get(namespace, keys).invoke(entries -> {
            long hits = entries.stream().filter(e -> e != null).count();
            count(namespace, "hit", hits);
            count(namespace, "miss", entries.size() - hits);
        });
    }

    public Uni<Long> delete(String namespace, List<String> keys) {
        return store.delete(namespace, keys);
    }

    public Uni<Long> flush(String namespace) {
        return store.flush(namespace);
    }

    public Uni<Long> invalidatePrefix(String namespace, String prefix) {
        return store.invalidatePrefix(namespace, prefix);
    }

    /** Applies lowered entry and byte limits at once (least recently used entries first). */
    public Uni<Long> enforce(NamespacePolicies.Effective policy) {
        return store.trim(policy.namespace(), policy.maxEntries(), policy.maxBytes());
    }

    /**
     * Figures per shared namespace and for all users' private namespaces together ({@code user:*}), and Redis' own:
     * one read of the totals the writes keep, after counting at most {@code sweep} namespaces whose entries have
     * expired since (so that the work per call does not grow with the namespaces ever used).
     */
    public Uni<Stats> stats() {
        return store.dueForCounting(config.statsSweep()).flatMap(names -> {
            List<Uni<CacheStore.Counts>> each = new ArrayList<>();
            names.forEach(name -> each.add(store.counts(name)));
            return each.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(each).andFailFast().replaceWithVoid();
        }).flatMap(swept -> Uni.combine().all().unis(store.totalsByLabel(), store.namespaceCount(), store.info())
                .with((totals, count, info) -> {
                    List<NamespaceStats> list = new ArrayList<>();
                    totals.forEach((label, c) -> {
                        if (c.keys() > 0 || (label.startsWith(Namespaces.USER_PREFIX) && c.hits() + c.misses() > 0)) {
                            list.add(new NamespaceStats(label, c.keys(), c.hits(), c.misses(), c.hits() + c.misses() == 0
                                    ? 0 : (double) c.hits() / (c.hits() + c.misses()), c.bytes()));
                        }
                    });
                    return new Stats(list, count, info);
                }));
    }

    /** One namespace's live entries and the bytes of their values (expired entries forgotten first). */
    public Uni<CacheStore.Counts> usage(String namespace) {
        return store.counts(namespace);
    }

    /** Per-replica counters for Prometheus; users' private namespaces are counted together as {@code user:*}. */
    private void count(String namespace, String outcome, long n) {
        if (n == 0) {
            return;
        }
        String label = Namespaces.isUserNamespace(namespace) ? Namespaces.USER_PREFIX + "*" : namespace;
        counters.computeIfAbsent(label + '|' + outcome, k -> Counter.builder("meridian.cache.requests")
                .description("Cache lookups by namespace and outcome (hit, miss), on this replica")
                .tags("namespace", label, "outcome", outcome).register(registry)).increment(n);
    }
}
