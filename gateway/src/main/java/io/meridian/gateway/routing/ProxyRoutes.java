package io.meridian.gateway.routing;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import io.meridian.gateway.config.GatewayConfig;
import io.meridian.gateway.edge.ClientAddresses;
import io.meridian.gateway.edge.EdgeProblems;
import io.meridian.gateway.edge.Exchange;
import io.meridian.gateway.edge.TokenVerifier;
import io.meridian.gateway.ratelimit.RateLimiter;
import io.meridian.platform.requestid.RequestIds;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The edge: for each configured prefix, checks the body size, verifies the bearer token on protected paths (signature,
 * issuer, audience, expiry through SmallRye JWT; then, in the same Redis call as the rate-limit token, the
 * revoked-session deny-list), takes a rate-limit token, and
 * streams the request to the service and its answer back, both ways without buffering (uploads, server-sent events).
 * Each service has a response timeout (504), one retry for idempotent requests whose connection failed (on the next
 * instance when the route lists several), and a circuit breaker (a dead service costs its callers a fast 503). The token is passed on unchanged: services verify it
 * again.
 */
@ApplicationScoped
public class ProxyRoutes {

    private static final Logger LOG = Logger.getLogger(ProxyRoutes.class);
    /** After the request id and body-size checks, before the gateway's own REST endpoints. */
    private static final int ORDER = 100;
    /** Headers that describe one hop, never passed on (RFC 9110 section 7.6.1). */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "proxy-connection");
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.PUT, HttpMethod.DELETE);

    private final GatewayConfig config;
    private final TokenVerifier tokens;
    private final RateLimiter rateLimiter;
    private final EdgeProblems problems;
    private final ClientAddresses addresses;
    private final Map<String, Upstream> upstreams = new LinkedHashMap<>();

    ProxyRoutes(GatewayConfig config, TokenVerifier tokens, RateLimiter rateLimiter, EdgeProblems problems,
            ClientAddresses addresses) {
        this.config = config;
        this.addresses = addresses;
        this.tokens = tokens;
        this.rateLimiter = rateLimiter;
        this.problems = problems;
    }

    void register(@Observes Router router, Vertx vertx, io.micrometer.core.instrument.MeterRegistry registry) {
        config.routes().forEach((name, route) -> {
            Upstream upstream = new Upstream(name, route, vertx, registry);
            upstreams.put(name, upstream);
            for (String prefix : route.prefixes()) {
                router.route(prefix + "/*").order(ORDER).handler(ctx -> handle(ctx, upstream));
                router.route(prefix).order(ORDER).handler(ctx -> handle(ctx, upstream));
            }
            LOG.infof("Route %s -> %s (%s; timeout %s, body up to %s bytes)", name, route.url(),
                    String.join(", ", route.prefixes()), route.timeout(), upstream.maxBodyBytes);
        });
    }

    public Collection<Upstream> upstreams() {
        return upstreams.values();
    }

    private void handle(RoutingContext ctx, Upstream upstream) {
        HttpServerRequest request = ctx.request();
        request.pause(); // the body waits until the service is connected; nothing is buffered
        Exchange exchange = Exchange.of(ctx);
        exchange.clientAddress(addresses.of(request));
        String path = ctx.normalizedPath();
        boolean isPublic = upstream.publicPaths.matches(path);
        exchange.route(upstream.name, isPublic);
        long declared = contentLength(request);
        if (declared > upstream.maxBodyBytes) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            problems.send(ctx, 413, "The body is " + declared + " bytes; " + path + " accepts at most "
                    + upstream.maxBodyBytes + ".");
            return;
        }
        if (isPublic) {
            limitThenForward(ctx, upstream, "ip:" + exchange.clientAddress(), null);
            return;
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            unauthorized(ctx, "This endpoint needs a bearer token.");
            return;
        }
        Context context = Vertx.currentContext();
        tokens.verify(authorization.substring(7).trim()).onComplete(verified -> onContext(context, () -> {
            if (verified.failed()) {
                unauthorized(ctx, verified.cause() instanceof ParseException
                        ? "The bearer token is not valid." : "The bearer token could not be verified.");
                return;
            }
            TokenVerifier.Caller caller = verified.result();
            exchange.user(caller.subject());
            limitThenForward(ctx, upstream, "sub:" + caller.subject(), caller.revocationId());
        }));
    }

    private void unauthorized(RoutingContext ctx, String detail) {
        problems.unauthorized(ctx, detail);
    }

    /**
     * One Redis call: a rate-limit token and, for a token, whether its session (or machine client) was revoked.
     */
    private void limitThenForward(RoutingContext ctx, Upstream upstream, String caller, String revocationId) {
        Context context = Vertx.currentContext();
        rateLimiter.take(ctx.normalizedPath(), caller, revocationId).onComplete(result -> onContext(context, () -> {
            if (!problems.refused(ctx, result.result(), "Too many requests")) {
                forward(ctx, upstream);
            }
        }));
    }

    private void forward(RoutingContext ctx, Upstream upstream) {
        HttpServerRequest request = ctx.request();
        Context context = Vertx.currentContext();
        RequestOptions options = new RequestOptions().setMethod(request.method()).setURI(request.uri())
                .setHeaders(upstreamHeaders(request, Exchange.of(ctx).clientAddress()))
                // bounds the wait for a pooled connection (and the connect): a saturated service costs a fast 503
                .setConnectTimeout(upstream.route.connectTimeout().toMillis())
                // an answer whose body stalls longer than the route's timeout is cut, not held forever
                .setIdleTimeout(upstream.route.timeout().toMillis());
        Attempt attempt = new Attempt(ctx, upstream, options, context);
        long sent = System.nanoTime();
        CompletionStage<HttpClientResponse> answer = upstream.breaker.get(
                () -> attempt.send(upstream.nextAddress(), true).toCompletionStage());
        answer.whenComplete((response, failure) -> onContext(context, () -> {
            if (failure == null && response == null) {
                return; // the caller has gone
            }
            Exchange.of(ctx).upstreamNanos(System.nanoTime() - sent);
            if (failure == null) {
                relay(ctx, response);
            } else {
                failed(ctx, upstream, failure, attempt.timedOut);
            }
        }));
    }

    /**
     * One request to a service, with at most one retry on another connection (ADR 0011): after a failed connect (or a
     * pool wait that timed out) for any method, since nothing was sent; and after a connection that closed before any
     * byte of the answer arrived (a kept-alive connection the service had just closed) for an idempotent request
     * without a body, which is safe to send again. A retry goes to the next instance when the route lists several.
     * Only what still fails after that reaches the circuit breaker.
     */
    private final class Attempt {
        final RoutingContext ctx;
        final Upstream upstream;
        final RequestOptions options;
        final Context context;
        final boolean hasBody;
        boolean timedOut;

        Attempt(RoutingContext ctx, Upstream upstream, RequestOptions options, Context context) {
            this.ctx = ctx;
            this.upstream = upstream;
            this.options = options;
            this.context = context;
            this.hasBody = hasBody(ctx.request());
        }

        Future<HttpClientResponse> send(SocketAddress instance, boolean mayRetry) {
            boolean[] connected = { false };
            HttpClient client = mayRetry ? upstream.client() : upstream.freshClient;
            return client.request(new RequestOptions(options).setServer(instance)).compose(outgoing -> {
                connected[0] = true;
                long timer = context.owner().setTimer(upstream.route.timeout().toMillis(), id -> {
                    timedOut = true;
                    outgoing.reset(0, new TimeoutException("no answer within " + upstream.route.timeout()));
                });
                Future<HttpClientResponse> response = hasBody ? outgoing.send(ctx.request()) : outgoing.send();
                return response.andThen(result -> context.owner().cancelTimer(timer)).map(upstreamAnswer -> {
                    upstreamAnswer.pause(); // the body waits for relay(), which pipes it to the caller
                    return upstreamAnswer;
                });
            }).recover(failure -> {
                if (ctx.response().closed()) {
                    return Future.succeededFuture(null); // the caller left: not the service's failure
                }
                if (connected[0] && isTimeout(failure)) {
                    timedOut = true; // the answer (or its body) stalled past the route's timeout
                }
                if (mayRetry && !timedOut && retryable(failure, connected[0])) {
                    upstream.retried(failure);
                    return send(upstream.after(instance), false);
                }
                return Future.failedFuture(failure);
            });
        }

        private boolean retryable(Throwable failure, boolean connected) {
            if (!connected) {
                return true; // no connection was had: nothing of the request left the gateway
            }
            return !hasBody && IDEMPOTENT.contains(ctx.request().method()) && closedBeforeAnswer(failure);
        }
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    /** A connection that ended under the request before an answer began (closed or reset by the service). */
    private static boolean closedBeforeAnswer(Throwable failure) {
        return failure instanceof io.vertx.core.http.HttpClosedException
                || failure instanceof io.vertx.core.VertxException && "Connection was closed".equals(failure.getMessage())
                || failure instanceof java.io.IOException && failure.getMessage() != null
                        && failure.getMessage().contains("Connection reset");
    }

    private void relay(RoutingContext ctx, HttpClientResponse upstreamResponse) {
        HttpServerResponse response = ctx.response();
        upstreamResponse.exceptionHandler(e -> LOG.debugf("The answer of %s broke off: %s", ctx.request().path(), e));
        if (response.closed()) {
            upstreamResponse.request().reset();
            return;
        }
        response.setStatusCode(upstreamResponse.statusCode());
        if (upstreamResponse.statusMessage() != null) {
            response.setStatusMessage(upstreamResponse.statusMessage());
        }
        copyHeaders(upstreamResponse.headers(), response.headers());
        response.headers().set(RequestIds.HEADER, RequestIds.current());
        if (!response.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            response.setChunked(true);
        }
        response.send(upstreamResponse).onFailure(e -> LOG.debugf("Relaying the answer stopped: %s", e.getMessage()));
    }

    private void failed(RoutingContext ctx, Upstream upstream, Throwable failure, boolean timedOut) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (timedOut) {
            LOG.warnf("%s did not answer %s %s within %s", upstream.name, ctx.request().method(), ctx.request().path(),
                    upstream.route.timeout());
            problems.send(ctx, 504, "The " + upstream.name + " service did not answer within "
                    + upstream.route.timeout().toMillis() + " ms.");
            return;
        }
        ctx.response().putHeader("Retry-After", String.valueOf(Math.max(1, upstream.route.breakerDelay().toSeconds())));
        if (cause instanceof CircuitBreakerOpenException) {
            problems.send(ctx, 503, "The " + upstream.name + " service is failing; calls to it are paused for a few"
                    + " seconds (circuit breaker open).");
            return;
        }
        String message = String.valueOf(cause.getMessage());
        if (message.contains("wait queue") || message.contains("getting a connection")) {
            LOG.debugf("%s is saturated: %s", upstream.name, message);
            problems.send(ctx, 503, "The " + upstream.name + " service is busy (no connection free within "
                    + upstream.route.connectTimeout().toMillis() + " ms); try again shortly.");
            return;
        }
        LOG.warnf("%s is unreachable: %s", upstream.name, cause.toString());
        problems.send(ctx, 503, "The " + upstream.name + " service is not reachable right now; try again shortly.");
    }

    /**
     * The request's headers minus hop-by-hop ones, with the request id and X-Forwarded-* set by the edge. The gateway
     * is the edge: X-Forwarded-For is replaced by the one client address it resolved (the peer, or behind a trusted
     * ingress the hop that ingress saw), never passed on as the client wrote it, since services key brute-force
     * protection on it; the client's Forwarded header is dropped for the same reason.
     */
    private static MultiMap upstreamHeaders(HttpServerRequest request, String client) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        copyHeaders(request.headers(), headers);
        headers.set(RequestIds.HEADER, RequestIds.current());
        headers.remove("Forwarded");
        if (client == null) {
            headers.remove("X-Forwarded-For");
        } else {
            headers.set("X-Forwarded-For", client);
        }
        headers.set("X-Forwarded-Proto", request.scheme() == null ? "http" : request.scheme());
        if (request.authority() != null) {
            headers.set("X-Forwarded-Host", request.authority().toString());
        }
        if (request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
            headers.remove(HttpHeaders.CONTENT_LENGTH);
        }
        return headers;
    }

    private static void copyHeaders(MultiMap from, MultiMap to) {
        String connection = from.get(HttpHeaders.CONNECTION);
        Set<String> named = connection == null ? Set.of()
                : Set.of(connection.toLowerCase(Locale.ROOT).replace(" ", "").split(","));
        for (Map.Entry<String, String> header : from) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !named.contains(name) && !name.equals("host")) {
                to.add(header.getKey(), header.getValue());
            }
        }
    }

    private static boolean hasBody(HttpServerRequest request) {
        return contentLength(request) > 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }

    private static long contentLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null || length.isEmpty() || length.length() > 18 || !length.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(length);
    }

    private static void onContext(Context context, Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(ignored -> action.run());
        }
    }
}
