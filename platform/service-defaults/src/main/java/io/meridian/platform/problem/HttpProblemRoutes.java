package io.meridian.platform.problem;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.platform.requestid.RequestIdFilter;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Problem+json for what is answered below the REST layer: bodies over the size limit (413), a NUL character in the
 * path or query (400: PostgreSQL cannot store or compare it, so it would fail deeper as a 500), failures raised by
 * the HTTP layer, and paths that no route serves (404).
 */
@ApplicationScoped
public class HttpProblemRoutes {

    private final ObjectMapper mapper;
    private final long maxBodySize;

    HttpProblemRoutes(ObjectMapper mapper,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.mapper = mapper;
        this.maxBodySize = maxBodySize.asLongValue();
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failure);
        // Declared bodies over the limit are refused before Quarkus' own check (order -2), with a problem body.
        router.route().order(RequestIdFilter.ORDER + 1).handler(this::refuseOversizeBody);
        router.route().order(RequestIdFilter.ORDER + 1).handler(this::refuseNulInUri);
        router.route().order(Integer.MAX_VALUE).handler(ctx -> write(ctx, 404, "Nothing is found at " + ctx.normalizedPath() + "."));
    }

    private void refuseOversizeBody(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && length.chars().allMatch(Character::isDigit) && length.length() < 19
                && Long.parseLong(length) > maxBodySize) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            write(ctx, 413, "The body is " + length + " bytes; this endpoint accepts at most " + maxBodySize + ".");
            return;
        }
        ctx.next();
    }

    private void refuseNulInUri(RoutingContext ctx) {
        String uri = ctx.request().uri();
        if (uri.indexOf('\u0000') >= 0 || uri.toLowerCase(java.util.Locale.ROOT).contains("%00")) {
            write(ctx, 400, "The path or query contains a NUL character.");
            return;
        }
        ctx.next();
    }

    private void failure(RoutingContext ctx) {
        if (ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        int status = ctx.statusCode();
        if (status == 413) {
            write(ctx, 413, "The body is larger than this endpoint accepts.");
        } else if (status >= 400 && status < 500) {
            write(ctx, status, Problems.titleFor(status));
        } else {
            ctx.next();
        }
    }

    private void write(RoutingContext ctx, int status, String detail) {
        Problem problem = Problems.of(status, Problems.slugFor(status), Problems.titleFor(status), detail,
                ctx.normalizedPath(), List.of());
        try {
            ctx.response().setStatusCode(status)
                    .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .end(mapper.writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
