package io.meridian.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The gateway's route table: which path prefixes go to which service. */
@ConfigMapping(prefix = "meridian.gateway")
public interface GatewayConfig {

    /** Routes by service name (auth, rag, agent, cache, email). */
    Map<String, Route> routes();

    /** How long the aggregated health waits for one service. */
    @WithDefault("2s")
    Duration healthTimeout();

    interface Route {

        /** Where the service listens, for example http://auth-service:8081. */
        URI url();

        /** Path prefixes served by this service, for example /api/auth. */
        List<String> prefixes();

        /** The service's readiness endpoint, probed by GET /health. */
        @WithDefault("/q/health/ready")
        String healthPath();

        /** How long a connection attempt to the service may take. */
        @WithDefault("2s")
        Duration connectTimeout();
    }
}
