package io.meridian.cache.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** cache-service's settings (meridian.cache.*). */
@ConfigMapping(prefix = "meridian.cache")
public interface CacheConfig {

    /** Prefix of every Redis key this service writes: {@code <prefix>{<namespace>}:...}. */
    @WithDefault("mc:")
    String keyPrefix();

    /** TTL of an entry when neither the request nor the namespace's policy gives one. */
    @WithDefault("1h")
    Duration defaultTtl();

    /** Longest TTL an entry may have; every entry expires. */
    @WithDefault("30d")
    Duration maxTtl();

    /** Entries a user's private namespace may hold unless a policy says otherwise (least recently used go first). */
    @WithDefault("10000")
    int userNamespaceMaxEntries();

    /**
     * Bytes of values a user's private namespace may hold unless a policy says otherwise: past it the least recently
     * used entries are evicted, and one write larger than all of it is 413.
     */
    @WithDefault("16M")
    io.quarkus.runtime.configuration.MemorySize userNamespaceMaxBytes();

    /** Longest TTL in a user's private namespace unless a policy says otherwise (at most {@code max-ttl}). */
    @WithDefault("1d")
    Duration userNamespaceMaxTtl();

    /** Longest wait for Redis before a request is answered 503. */
    @WithDefault("1s")
    Duration redisTimeout();

    /** Keys in one bulk get or put. */
    @WithDefault("1000")
    int bulkMaxKeys();

    /** Entries deleted per Redis call when a namespace is flushed or invalidated, so that Redis never blocks long. */
    @WithDefault("500")
    int flushBatch();

    /** How often each replica re-reads the namespace policies (a change on another replica shows within this). */
    @WithDefault("5s")
    Duration policyRefresh();

    /**
     * Namespaces with expired entries counted per statistics read (each scrape and {@code GET /api/cache/stats}), so
     * that expired entries leave the totals; the rest wait for the next read.
     */
    @WithDefault("200")
    int statsSweep();

    /** How often the Prometheus gauges (keys, hits, misses per namespace; Redis' figures) are refreshed. */
    @WithDefault("30s")
    Duration metricsRefresh();

    /**
     * How rag-service's cached answers start, in the asking user's own namespace: {@code <prefix><collectionId>:...}.
     * A document indexed or deleted invalidates its owner's answers about its collection.
     */
    @WithDefault("rag-answer:")
    String ragAnswerPrefix();
}
