package io.meridian.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The gateway's route table, edge security, rate limits and resilience settings. */
@ConfigMapping(prefix = "meridian.gateway")
public interface GatewayConfig {

    /** Routes by service name (auth, rag, agent, cache, email). */
    Map<String, Route> routes();

    /** Token buckets by class; {@code default} applies to every request no other class claims. */
    Map<String, RateLimit> rateLimits();

    /** How long the aggregated health waits for one service. */
    @WithDefault("2s")
    Duration healthTimeout();

    /** Longest wait for a service's answer when the gateway itself calls it (GraphQL search and ask). */
    @WithDefault("60s")
    Duration callTimeout();

    /** Where the token buckets live in Redis: {@code <prefix><class>:<caller>}. */
    @WithDefault("meridian:ratelimit:")
    String rateLimitKeyPrefix();

    /** Longest wait for Redis when taking a token; beyond it the request goes through (fail open). */
    @WithDefault("PT0.2S")
    Duration rateLimitTimeout();

    interface Route {

        /**
         * Where the service listens, for example http://auth-service:8081 (a Kubernetes Service). Several instances may
         * be listed, comma-separated: requests take them in turn, and a retry goes to the next one.
         */
        List<URI> url();

        /** Path prefixes served by this service, for example /api/auth. */
        List<String> prefixes();

        /**
         * Paths that need no token: exact paths, or prefixes ending in {@code /*}. Everything else on the route needs
         * a valid, unrevoked bearer token.
         */
        Optional<List<String>> publicPaths();

        /** Time for the service to start answering (response headers); past it the caller gets 504. */
        @WithDefault("30s")
        Duration timeout();

        /** Largest request body the route accepts (413 beyond). */
        @WithDefault("1M")
        MemorySize maxBodySize();

        /** The service's readiness endpoint, probed by GET /health. */
        @WithDefault("/q/health/ready")
        String healthPath();

        /** How long a connection attempt to the service may take. */
        @WithDefault("2s")
        Duration connectTimeout();

        /** Connection failures (within the last {@code breaker-window} calls) that open the circuit breaker. */
        @WithDefault("5")
        int breakerWindow();

        @WithDefault("0.5")
        double breakerFailureRatio();

        /** How long an open breaker answers 503 at once before letting a trial call through. */
        @WithDefault("5s")
        Duration breakerDelay();
    }

    interface RateLimit {

        /** Requests a caller may make in a burst. */
        int capacity();

        /** Tokens added back per second. */
        double refillPerSecond();

        /** Paths of this class (exact, or prefixes ending in {@code /*}); empty for {@code default}. */
        Optional<List<String>> paths();
    }
}
