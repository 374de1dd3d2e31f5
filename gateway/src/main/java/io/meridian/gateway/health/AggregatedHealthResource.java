package io.meridian.gateway.health;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.meridian.gateway.admin.ServiceCalls;
import io.meridian.gateway.config.GatewayConfig;
import io.meridian.gateway.ratelimit.RateLimiter;
import io.meridian.gateway.routing.ProxyRoutes;
import io.smallrye.mutiny.Uni;

/** {@code GET /health}: every service's readiness, probed in parallel, with how long each took to answer. */
@Path("/health")
public class AggregatedHealthResource {

    /** A service's readiness as probed now, and the state of the gateway's circuit breaker in front of it. */
    public record ServiceHealth(String status, long latencyMs, String error, String breaker) {
    }

    /** The edge's own features: rate limiting is DEGRADED (off, fail open) while Redis does not answer. */
    public record EdgeHealth(String rateLimiting, String degradedSince) {
    }

    public record PlatformHealth(String status, Map<String, ServiceHealth> services, EdgeHealth edge) {
    }

    private final ServiceCalls services;
    private final ProxyRoutes routes;
    private final RateLimiter rateLimiter;

    AggregatedHealthResource(ServiceCalls services, ProxyRoutes routes, RateLimiter rateLimiter) {
        this.services = services;
        this.routes = routes;
        this.rateLimiter = rateLimiter;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Readiness of every service behind the gateway")
    public Uni<Response> health() {
        return services.getAll(GatewayConfig.Route::healthPath, null).map(answers -> {
            Map<String, ServiceHealth> health = new TreeMap<>();
            answers.forEach((name, answer) -> health.put(name, new ServiceHealth(answer.ok() ? "UP" : "DOWN",
                    answer.latencyMs(), answer.ok() ? null
                            : answer.error() != null ? answer.error() : "readiness answered " + answer.status(),
                    breaker(name))));
            boolean up = health.values().stream().allMatch(s -> "UP".equals(s.status()));
            Instant degraded = rateLimiter.degradedSince();
            EdgeHealth edge = new EdgeHealth(degraded == null ? "UP" : "DEGRADED",
                    degraded == null ? null : degraded.toString());
            PlatformHealth body = new PlatformHealth(up ? "UP" : "DOWN", new LinkedHashMap<>(health), edge);
            return Response.status(up ? 200 : 503).entity(body).build();
        });
    }

    private String breaker(String service) {
        return routes.upstreams().stream().filter(u -> u.name().equals(service)).findFirst()
                .map(u -> u.breakerState().name()).orElse(null);
    }
}
