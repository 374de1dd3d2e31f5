package io.meridian.cache.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;

/**
 * The shared figures as Prometheus gauges, refreshed every 30 s from the same source as {@code GET /api/cache/stats}:
 * keys, hits, misses and hit ratio per namespace (users' private namespaces summed as {@code user:*}), and Redis'
 * memory, clients and uptime. Every replica reports the same shared values: aggregate them with max, not sum.
 */
@ApplicationScoped
public class CacheMetrics {

    private static final Logger LOG = Logger.getLogger(CacheMetrics.class);

    private final CacheService cache;
    private final MultiGauge keys;
    private final MultiGauge hits;
    private final MultiGauge misses;
    private final MultiGauge ratio;
    private final AtomicReference<CacheStore.RedisInfo> redis = new AtomicReference<>(new CacheStore.RedisInfo(-1, -1, -1));

    CacheMetrics(CacheService cache, MeterRegistry registry) {
        this.cache = cache;
        this.keys = MultiGauge.builder("meridian.cache.keys").description("Live entries per namespace").register(registry);
        this.hits = MultiGauge.builder("meridian.cache.hits").description("Hits per namespace, all replicas").register(registry);
        this.misses = MultiGauge.builder("meridian.cache.misses").description("Misses per namespace, all replicas")
                .register(registry);
        this.ratio = MultiGauge.builder("meridian.cache.hit.ratio").description("Hits / (hits + misses) per namespace")
                .register(registry);
        Gauge.builder("meridian.cache.redis.used.memory", redis, r -> r.get().usedMemoryBytes()).baseUnit("bytes")
                .description("Memory Redis uses").register(registry);
        Gauge.builder("meridian.cache.redis.connected.clients", redis, r -> r.get().connectedClients())
                .description("Clients connected to Redis").register(registry);
        Gauge.builder("meridian.cache.redis.uptime", redis, r -> r.get().uptimeSeconds()).baseUnit("seconds")
                .description("Seconds since Redis started").register(registry);
    }

    @Scheduled(every = "${meridian.cache.metrics-refresh:30s}", delayed = "1s", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void refresh() {
        try {
            CacheService.Stats stats = cache.stats().await().atMost(Duration.ofSeconds(20));
            Map<String, long[]> byLabel = new TreeMap<>();
            for (CacheService.NamespaceStats ns : stats.namespaces()) {
                String label = Namespaces.isUserNamespace(ns.name()) ? Namespaces.USER_PREFIX + "*" : ns.name();
                long[] sums = byLabel.computeIfAbsent(label, l -> new long[3]);
                sums[0] += ns.keys();
                sums[1] += ns.hits();
                sums[2] += ns.misses();
            }
            List<MultiGauge.Row<?>> keyRows = new ArrayList<>();
            List<MultiGauge.Row<?>> hitRows = new ArrayList<>();
            List<MultiGauge.Row<?>> missRows = new ArrayList<>();
            List<MultiGauge.Row<?>> ratioRows = new ArrayList<>();
            byLabel.forEach((label, sums) -> {
                Tags tags = Tags.of("namespace", label);
                keyRows.add(MultiGauge.Row.of(tags, sums[0]));
                hitRows.add(MultiGauge.Row.of(tags, sums[1]));
                missRows.add(MultiGauge.Row.of(tags, sums[2]));
                ratioRows.add(MultiGauge.Row.of(tags, sums[1] + sums[2] == 0 ? 0 : (double) sums[1] / (sums[1] + sums[2])));
            });
            keys.register(keyRows, true);
            hits.register(hitRows, true);
            misses.register(missRows, true);
            ratio.register(ratioRows, true);
            redis.set(stats.redis());
        } catch (RuntimeException e) {
            LOG.debugf("Cache metrics not refreshed: %s", e.toString());
        }
    }
}
