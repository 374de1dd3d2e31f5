package io.meridian.gateway.edge;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.platform.problem.Problem;
import io.meridian.platform.problem.Problems;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** Answers from the edge itself (401, 413, 429, 503, 504) as problem+json, like every service does. */
@ApplicationScoped
public class EdgeProblems {

    private final ObjectMapper mapper;

    EdgeProblems(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** 401 with {@code WWW-Authenticate: Bearer}. */
    public void unauthorized(RoutingContext ctx, String detail) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        send(ctx, 401, detail);
    }

    /**
     * Applies a rate-limit decision: the {@code RateLimit-*} headers when a limit applied, 401 for a revoked session,
     * 429 with {@code Retry-After} past the limit ({@code tooMany} says why, followed by the wait). Returns whether the
     * request was refused (the answer is then sent).
     */
    public boolean refused(RoutingContext ctx, io.meridian.gateway.ratelimit.RateLimiter.Decision decision, String tooMany) {
        if (decision.revoked()) {
            unauthorized(ctx, "The token's session has ended; sign in again.");
            return true;
        }
        HttpServerResponse response = ctx.response();
        if (decision.limit() > 0) {
            response.putHeader("RateLimit-Limit", String.valueOf(decision.limit()))
                    .putHeader("RateLimit-Remaining", String.valueOf(decision.remaining()))
                    .putHeader("RateLimit-Reset", String.valueOf(decision.resetSeconds()));
        }
        if (!decision.allowed()) {
            long wait = Math.max(1, decision.retryAfterSeconds());
            response.putHeader("Retry-After", String.valueOf(wait));
            send(ctx, 429, tooMany + "; try again in " + wait + " s.");
            return true;
        }
        return false;
    }

    public void send(RoutingContext ctx, int status, String detail) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.ended()) {
            return;
        }
        if (response.headWritten()) {
            response.reset();
            return;
        }
        Problem problem = Problems.of(status, Problems.slugFor(status), Problems.titleFor(status), detail,
                ctx.normalizedPath(), List.of());
        try {
            response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .end(mapper.writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
