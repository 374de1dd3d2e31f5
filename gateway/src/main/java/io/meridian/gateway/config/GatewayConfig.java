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

    /** Connections per service for GraphQL's calls (a pool apart from health and admin calls, and from proxying). */
    @WithDefault("50")
    int graphqlMaxConnections();

    /** Where the token buckets live in Redis: {@code <prefix><class>:<caller>}. */
    @WithDefault("meridian:ratelimit:")
    String rateLimitKeyPrefix();

    /**
     * Proxies in front of the gateway whose forwarding headers are believed (addresses or CIDR ranges: the ingress
     * controller's pods). Empty: every peer is the client itself and X-Forwarded-For/Forwarded are ignored.
     */
    Optional<List<String>> trustedProxies();

    /** Longest wait for auth-service's JWKS; requests waiting for a key get 401 past it. */
    @WithDefault("2s")
    Duration jwksTimeout();

    /** Shortest time between two JWKS fetches caused by tokens naming an unknown key. */
    @WithDefault("5s")
    Duration jwksMinRefreshInterval();

    /** How often the JWKS is fetched regardless (keys added or retired by rotation). */
    @WithDefault("10m")
    Duration jwksRefreshInterval();

    /**
     * The longest lifetime ({@code exp - iat}) an access token may have; auth-service issues 15 minutes. A longer one
     * is refused even with a valid signature, and no token is remembered as verified for longer than this.
     */
    @WithDefault("15m")
    Duration maxTokenLifetime();

    /** Longest wait for Redis when taking a token; beyond it the request goes through (fail open). */
    @WithDefault("PT0.2S")
    Duration rateLimitTimeout();

    /** What one GraphQL request may ask for (ADR 0011). */
    GraphQl graphql();

    interface GraphQl {

        /** Nesting of selections. */
        @WithDefault("8")
        int maxDepth();

        /** Aliased fields (the way to repeat an expensive field in one request). */
        @WithDefault("10")
        int maxAliases();

        /** Fields selected, fragments expanded. */
        @WithDefault("200")
        int maxFields();

        /** Top-level fields: each is one call to a service, and one token from the caller's rate-limit bucket. */
        @WithDefault("10")
        int maxCalls();

        /** Largest request body. */
        @WithDefault("65536")
        long maxBodyBytes();
    }

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

        /**
         * How long a request may wait for a connection to the service: from the pool, or a new one (503 past it).
         */
        @WithDefault("2s")
        Duration connectTimeout();

        /** Connections to the service per gateway process (per event loop). */
        @WithDefault("200")
        int maxConnections();

        /** Requests that may wait for a connection when all are busy; beyond it the caller gets 503 at once. */
        @WithDefault("400")
        int maxWaiting();

        /** A kept-alive connection idle this long is closed (shorter than any service's own idle timeout). */
        @WithDefault("15s")
        Duration keepAliveTimeout();

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
