package io.meridian.gateway.routing;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.util.TypeLiteral;

import org.jboss.logging.Logger;

import io.meridian.gateway.config.GatewayConfig;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.net.SocketAddress;

/**
 * One service behind the gateway: where its instances are (taken in turn), its connection pool, its public paths and
 * its circuit breaker.
 */
public final class Upstream {

    private static final Logger LOG = Logger.getLogger(Upstream.class);

    final String name;
    final GatewayConfig.Route route;
    private final List<SocketAddress> addresses;
    private int turn;
    /** For callers off the event loops; each event loop has a client (and a pool) of its own: {@link #client()}. */
    final HttpClient client;
    private final Vertx vertx;
    private final HttpClientOptions pooled;
    private final io.netty.util.concurrent.FastThreadLocal<HttpClient> perLoop = new io.netty.util.concurrent.FastThreadLocal<>();
    /** For retries: a connection of its own, never a pooled one that may be just as stale. */
    final HttpClient freshClient;
    final PathPatterns publicPaths;
    final long maxBodyBytes;
    final TypedGuard<CompletionStage<HttpClientResponse>> breaker;
    private final io.micrometer.core.instrument.Counter retries;

    Upstream(String name, GatewayConfig.Route route, Vertx vertx, io.micrometer.core.instrument.MeterRegistry registry) {
        this.name = name;
        this.retries = io.micrometer.core.instrument.Counter.builder("meridian.gateway.upstream.retries")
                .description("Requests sent again on a new connection (closed kept-alive connection, failed connect)")
                .tag("service", name).register(registry);
        this.route = route;
        this.addresses = route.url().stream()
                .map(url -> SocketAddress.inetSocketAddress(url.getPort() > 0 ? url.getPort() : 80, url.getHost()))
                .toList();
        this.vertx = vertx;
        this.pooled = new HttpClientOptions()
                .setConnectTimeout((int) route.connectTimeout().toMillis())
                .setMaxPoolSize(route.maxConnections())
                // requests waiting for a connection are bounded; past it (or past connect-timeout) the caller gets 503
                .setMaxWaitQueueSize(route.maxWaiting())
                .setKeepAlive(true)
                // a pooled connection idle this long is closed by the gateway first, before the service closes it
                .setKeepAliveTimeout((int) Math.max(1, route.keepAliveTimeout().toSeconds()))
                .setTcpNoDelay(true)
                .setName("gateway-" + name);
        this.client = vertx.createHttpClient(pooled);
        this.freshClient = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) route.connectTimeout().toMillis())
                .setMaxPoolSize(route.maxConnections())
                .setMaxWaitQueueSize(route.maxWaiting())
                .setKeepAlive(false)
                .setTcpNoDelay(true)
                .setName("gateway-" + name + "-retry"));
        this.publicPaths = new PathPatterns(route.publicPaths().orElse(List.of()));
        this.maxBodyBytes = route.maxBodySize().asLongValue();
        // Only transport failures (refused connections, timeouts) fail the guarded stage; any HTTP answer is a success.
        this.breaker = TypedGuard.create(new TypeLiteral<CompletionStage<HttpClientResponse>>() {
        }).withCircuitBreaker()
                .name(breakerName(name))
                .requestVolumeThreshold(route.breakerWindow())
                .failureRatio(route.breakerFailureRatio())
                .delay(route.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(1)
                .onStateChange(state -> LOG.warnf("Circuit breaker of %s is now %s", name, state))
                .done()
                .withThreadOffload(false) // the call is non-blocking: run it here, not as another event-loop task
                .build();
    }

    /**
     * The pooled client of the calling event loop: its connections live on that loop, so that a request and its
     * service call never hop between threads (max-connections applies per event loop).
     */
    HttpClient client() {
        if (!io.vertx.core.Context.isOnEventLoopThread()) {
            return client;
        }
        HttpClient own = perLoop.get();
        if (own == null) {
            own = vertx.createHttpClient(new HttpClientOptions(pooled));
            perLoop.set(own);
        }
        return own;
    }

    /** A request that met a closed connection or a failed connect and was sent again (counted per service). */
    void retried(Throwable failure) {
        retries.increment();
        LOG.debugf("Retrying a request to %s on a new connection after %s", name, failure.toString());
    }

    /** The instance for the next request (round robin; called on the gateway's event loop). */
    SocketAddress nextAddress() {
        turn = (turn + 1) % addresses.size();
        return addresses.get(turn);
    }

    /** The instance after {@code failed}, for a retry (the same one when there is only one). */
    SocketAddress after(SocketAddress failed) {
        return addresses.get((addresses.indexOf(failed) + 1) % addresses.size());
    }

    public String name() {
        return name;
    }

    public GatewayConfig.Route route() {
        return route;
    }

    /** CLOSED, OPEN or HALF_OPEN. */
    public CircuitBreakerState breakerState() {
        return CircuitBreakerMaintenance.get().currentState(breakerName(name));
    }

    static String breakerName(String service) {
        return "gateway-upstream-" + service;
    }
}
