package io.meridian.rag.rest;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.meridian.rag.service.QueryLog;
import io.meridian.rag.service.SearchService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

/** {@code GET /admin/stats}: what rag-service reports to the gateway's analytics (admins only). */
@Path("/admin/stats")
@Tag(name = "admin")
public class AdminStatsResource {

    /** Searches per mode with their p50 and p95 (ms), and the most frequent queries. */
    public record Latency(long count, double p50Ms, double p95Ms) {
    }

    public record Stats(Map<String, Latency> queryLatency, List<QueryLog.Count> topQueries) {
    }

    private final MeterRegistry registry;
    private final QueryLog queries;

    AdminStatsResource(MeterRegistry registry, QueryLog queries) {
        this.registry = registry;
        this.queries = queries;
    }

    @GET
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Query latency per search mode and the top queries (this replica)")
    public Stats stats() {
        Map<String, Latency> latency = new TreeMap<>();
        for (SearchService.Mode mode : SearchService.Mode.values()) {
            String name = mode.name().toLowerCase(Locale.ROOT);
            Timer timer = registry.find("meridian.rag.search").tag("mode", name).timer();
            if (timer == null) {
                continue;
            }
            double p50 = 0;
            double p95 = 0;
            for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
                if (v.percentile() == 0.5) {
                    p50 = v.value(java.util.concurrent.TimeUnit.MILLISECONDS);
                } else if (v.percentile() == 0.95) {
                    p95 = v.value(java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            }
            latency.put(name, new Latency(timer.count(), p50, p95));
        }
        return new Stats(latency, queries.top(10));
    }
}
