package io.meridian.gateway.health;

import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.meridian.gateway.routing.ProxyRoutes;
import io.meridian.gateway.routing.Upstream;

/**
 * The gateway is ready once its route table is in place. Neither a service being down (its route answers 503 and
 * {@code /health} says so) nor Redis (rate limiting fails open, ADR 0006) takes the whole front door out of rotation.
 */
@Readiness
@ApplicationScoped
public class RoutesReadiness implements HealthCheck {

    private final ProxyRoutes routes;

    RoutesReadiness(ProxyRoutes routes) {
        this.routes = routes;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Gateway routes").status(!routes.upstreams().isEmpty());
        for (Upstream upstream : routes.upstreams()) {
            response.withData(upstream.name(), upstream.route().url().stream().map(Object::toString)
                    .collect(Collectors.joining(", ")) + " (breaker " + upstream.breakerState() + ")");
        }
        return response.build();
    }
}
