package io.meridian.gateway.edge;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import io.meridian.platform.requestid.RequestIdFilter;
import io.meridian.platform.requestid.RequestIds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * One JSON line per request on the {@code meridian.access} logger (request id, user, service, route class, method,
 * path, status, upstream and total time; written by the log handler's own thread), and the per-service metrics behind {@code /api/admin/analytics}:
 * {@code meridian_gateway_requests_seconds{service,class}} and {@code meridian_gateway_responses_total{service,class,status}}.
 */
@ApplicationScoped
public class AccessLog {

    private static final Logger ACCESS = Logger.getLogger("meridian.access");

    private final MeterRegistry registry;
    private final boolean enabled;
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

    AccessLog(MeterRegistry registry, @ConfigProperty(name = "meridian.gateway.access-log", defaultValue = "true") boolean enabled) {
        this.registry = registry;
        this.enabled = enabled;
    }

    void register(@Observes Router router) {
        router.route().order(RequestIdFilter.ORDER + 2).handler(ctx -> {
            Exchange exchange = Exchange.of(ctx);
            String requestId = RequestIds.current();
            // The request's trace (when tracing is on): its span has ended by the time the line is written.
            var span = io.opentelemetry.api.trace.Span.current().getSpanContext();
            String traceId = span.isValid() ? span.getTraceId() : null;
            ctx.addEndHandler(ended -> finished(ctx, exchange, requestId, traceId));
            ctx.next();
        });
    }

    private void finished(RoutingContext ctx, Exchange exchange, String requestId, String traceId) {
        long total = System.nanoTime() - exchange.startNanos();
        int status = ctx.response().getStatusCode();
        timer(exchange.service(), exchange.routeClass()).record(total, java.util.concurrent.TimeUnit.NANOSECONDS);
        counter(exchange.service(), exchange.routeClass(), status / 100 + "xx").increment();
        if (!enabled || !ACCESS.isInfoEnabled()) {
            return;
        }
        StringBuilder line = new StringBuilder(256).append('{');
        field(line, "time", Instant.now().toString()).append(',');
        field(line, "requestId", requestId).append(',');
        field(line, "userId", exchange.userId()).append(',');
        field(line, "service", exchange.service()).append(',');
        field(line, "class", exchange.routeClass()).append(',');
        field(line, "method", ctx.request().method().name()).append(',');
        field(line, "path", ctx.request().path()).append(',');
        line.append("\"status\":").append(status).append(',');
        line.append("\"upstreamMs\":").append(exchange.upstreamNanos() < 0 ? "null" : millis(exchange.upstreamNanos()))
                .append(',');
        line.append("\"totalMs\":").append(millis(total)).append(',');
        line.append("\"bytesSent\":").append(ctx.response().bytesWritten());
        if (traceId != null) {
            line.append(',');
            field(line, "traceId", traceId);
            org.jboss.logging.MDC.put("traceId", traceId);
        }
        ACCESS.info(line.append('}'));
    }

    private Timer timer(String service, String routeClass) {
        return timers.computeIfAbsent(service + '|' + routeClass, key -> Timer.builder("meridian.gateway.requests")
                .description("Requests through the gateway, by service and route class, start to last byte")
                .tags("service", service, "class", routeClass)
                .publishPercentiles(0.5, 0.95, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(5)).distributionStatisticBufferLength(5)
                .register(registry));
    }

    private Counter counter(String service, String routeClass, String status) {
        return counters.computeIfAbsent(service + '|' + routeClass + '|' + status, key -> Counter
                .builder("meridian.gateway.responses").description("Answers by service, route class and status class")
                .tags("service", service, "class", routeClass, "status", status).register(registry));
    }

    private static StringBuilder field(StringBuilder line, String name, String value) {
        line.append('"').append(name).append("\":");
        if (value == null) {
            return line.append("null");
        }
        line.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, line);
        return line.append('"');
    }

    /** Milliseconds with three decimals, without String.format's cost on every request. */
    private static String millis(long nanos) {
        long micros = nanos / 1_000;
        long fraction = micros % 1_000;
        return (micros / 1_000) + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
    }
}
