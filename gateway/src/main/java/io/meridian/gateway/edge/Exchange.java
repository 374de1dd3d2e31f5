package io.meridian.gateway.edge;

import io.vertx.ext.web.RoutingContext;

/** What the gateway learns about one request on its way through, for the access log and the metrics. */
public final class Exchange {

    private static final String KEY = "meridian.exchange";

    /** The service the request went to, or {@code gateway} for the gateway's own endpoints. */
    private String service = "gateway";
    /** {@code public} or {@code protected} for proxied routes; {@code gateway} otherwise. */
    private String routeClass = "gateway";
    private String userId;
    private String clientAddress;
    private final long startNanos = System.nanoTime();
    private long upstreamNanos = -1;

    public static Exchange of(RoutingContext ctx) {
        Exchange exchange = ctx.get(KEY);
        if (exchange == null) {
            exchange = new Exchange();
            ctx.put(KEY, exchange);
        }
        return exchange;
    }

    public void route(String service, boolean isPublic) {
        this.service = service;
        this.routeClass = isPublic ? "public" : "protected";
    }

    public void user(String userId) {
        this.userId = userId;
    }

    /** The client's address as {@code ClientAddresses} resolved it (the real one behind a trusted ingress). */
    public void clientAddress(String address) {
        this.clientAddress = address;
    }

    public String clientAddress() {
        return clientAddress;
    }

    public void upstreamNanos(long nanos) {
        this.upstreamNanos = nanos;
    }

    public String service() {
        return service;
    }

    public String routeClass() {
        return routeClass;
    }

    public String userId() {
        return userId;
    }

    public long startNanos() {
        return startNanos;
    }

    public long upstreamNanos() {
        return upstreamNanos;
    }
}
