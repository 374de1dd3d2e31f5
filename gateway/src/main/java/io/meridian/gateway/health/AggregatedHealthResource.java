package io.meridian.gateway.health;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.meridian.gateway.config.GatewayConfig;
import io.meridian.gateway.ratelimit.RateLimiter;
import io.meridian.gateway.routing.ProxyRoutes;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

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

    private final GatewayConfig config;
    private final HttpClient client;
    private final ProxyRoutes routes;
    private final RateLimiter rateLimiter;

    AggregatedHealthResource(GatewayConfig config, Vertx vertx, ProxyRoutes routes, RateLimiter rateLimiter) {
        this.config = config;
        this.routes = routes;
        this.rateLimiter = rateLimiter;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.healthTimeout().toMillis()).setName("gateway-health"));
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Readiness of every service behind the gateway")
    public Uni<Response> health() {
        List<Uni<Map.Entry<String, ServiceHealth>>> probes = config.routes().entrySet().stream()
                .map(entry -> probe(entry.getKey(), entry.getValue()))
                .toList();
        return Uni.join().all(probes).andFailFast().map(results -> {
            Map<String, ServiceHealth> services = new TreeMap<>();
            results.forEach(result -> services.put(result.getKey(), result.getValue()));
            boolean up = services.values().stream().allMatch(s -> "UP".equals(s.status()));
            Instant degraded = rateLimiter.degradedSince();
            EdgeHealth edge = new EdgeHealth(degraded == null ? "UP" : "DEGRADED",
                    degraded == null ? null : degraded.toString());
            PlatformHealth body = new PlatformHealth(up ? "UP" : "DOWN", new LinkedHashMap<>(services), edge);
            return Response.status(up ? 200 : 503).entity(body).build();
        });
    }

    private Uni<Map.Entry<String, ServiceHealth>> probe(String name, GatewayConfig.Route route) {
        long started = System.nanoTime();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
                .setAbsoluteURI(route.url().resolve(route.healthPath()).toString())
                .setTimeout(config.healthTimeout().toMillis());
        var future = client.request(options)
                .compose(request -> request.send())
                .compose(response -> response.body().map(body -> response.statusCode()));
        return Uni.createFrom().completionStage(future.toCompletionStage())
                .map(status -> new ServiceHealth(status == 200 ? "UP" : "DOWN", millisSince(started),
                        status == 200 ? null : "readiness answered " + status, breaker(name)))
                .onFailure().recoverWithItem(failure -> new ServiceHealth("DOWN", millisSince(started),
                        failure.getClass().getSimpleName() + ": " + failure.getMessage(), breaker(name)))
                .map(health -> Map.entry(name, health));
    }

    private String breaker(String service) {
        return routes.upstreams().stream().filter(u -> u.name().equals(service)).findFirst()
                .map(u -> u.breakerState().name()).orElse(null);
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
