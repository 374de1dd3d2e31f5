package io.meridian.gateway.admin;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.quarkus.scheduler.Scheduled;

/**
 * The gateway's own traffic, per service and route class, from the metrics {@code AccessLog} records: request rate and
 * error rate (5xx) over the last minute, from samples taken every 10 seconds, and p95 latency (Micrometer's decaying
 * window).
 */
@ApplicationScoped
public class TrafficAnalytics {

    public record Traffic(String service, String routeClass, long requests, double requestsPerSecond, double errorRate,
            double p95Ms) {
    }

    private record Sample(long atNanos, Map<String, long[]> counts) {
    }

    private final MeterRegistry registry;
    private final Deque<Sample> samples = new ArrayDeque<>();

    TrafficAnalytics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Scheduled(identity = "gateway-traffic-sample", every = "10s", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    synchronized void sample() {
        samples.addLast(new Sample(System.nanoTime(), counts()));
        while (samples.size() > 7) {
            samples.removeFirst();
        }
    }

    public synchronized List<Traffic> lastMinute() {
        long now = System.nanoTime();
        Map<String, long[]> current = counts();
        Sample oldest = samples.peekFirst();
        return registry.find("meridian.gateway.requests").timers().stream().map(timer -> {
            String key = key(timer.getId().getTag("service"), timer.getId().getTag("class"));
            long[] nowCounts = current.getOrDefault(key, new long[2]);
            long[] then = oldest == null ? new long[2] : oldest.counts().getOrDefault(key, new long[2]);
            double seconds = oldest == null ? 0 : (now - oldest.atNanos()) / 1e9;
            long requests = nowCounts[0] - then[0];
            long errors = nowCounts[1] - then[1];
            return new Traffic(timer.getId().getTag("service"), timer.getId().getTag("class"), nowCounts[0],
                    seconds > 0 ? round(requests / seconds) : 0, requests > 0 ? round((double) errors / requests) : 0,
                    round(p95(timer)));
        }).sorted(java.util.Comparator.comparing(Traffic::service).thenComparing(Traffic::routeClass)).toList();
    }

    /** Requests and 5xx answers so far, by service and route class. */
    private Map<String, long[]> counts() {
        Map<String, long[]> counts = new HashMap<>();
        for (Timer timer : registry.find("meridian.gateway.requests").timers()) {
            counts.computeIfAbsent(key(timer.getId().getTag("service"), timer.getId().getTag("class")),
                    k -> new long[2])[0] = timer.count();
        }
        for (Counter counter : registry.find("meridian.gateway.responses").tag("status", "5xx").counters()) {
            counts.computeIfAbsent(key(counter.getId().getTag("service"), counter.getId().getTag("class")),
                    k -> new long[2])[1] = (long) counter.count();
        }
        return counts;
    }

    private static double p95(Timer timer) {
        for (ValueAtPercentile value : timer.takeSnapshot().percentileValues()) {
            if (value.percentile() == 0.95) {
                return value.value(TimeUnit.MILLISECONDS);
            }
        }
        return 0;
    }

    private static String key(String service, String routeClass) {
        return service + '|' + routeClass;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
