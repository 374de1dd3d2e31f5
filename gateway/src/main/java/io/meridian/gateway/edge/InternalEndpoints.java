package io.meridian.gateway.edge;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.meridian.platform.requestid.RequestIdFilter;
import io.vertx.ext.web.Router;

/**
 * The public port serves no internal endpoint (ADR 0011): probes and metrics live on the management interface, and the
 * gateway's own OpenAPI document, which the Swagger UI no longer shows, is refused here (it is published in
 * {@code docs/api/gateway}; the platform's contract is {@code /openapi}).
 */
@ApplicationScoped
public class InternalEndpoints {

    private final EdgeProblems problems;

    InternalEndpoints(EdgeProblems problems) {
        this.problems = problems;
    }

    void register(@Observes Router router) {
        router.routeWithRegex("/q/openapi.*").order(RequestIdFilter.ORDER + 1)
                .handler(ctx -> problems.send(ctx, 404, "Nothing is found at " + ctx.normalizedPath() + "."));
    }
}
