package io.meridian.cache.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.meridian.cache.service.CacheService;
import io.smallrye.mutiny.Uni;

/** {@code GET /admin/stats}: what cache-service reports to the gateway's analytics (admins only). */
@Path("/admin/stats")
@Tag(name = "admin")
public class AdminStatsResource {

    /** Totals over every namespace. */
    public record Stats(long namespaces, long keys, long hits, long misses, double hitRatio, long redisUsedMemoryBytes) {
    }

    private final CacheService cache;

    AdminStatsResource(CacheService cache) {
        this.cache = cache;
    }

    @GET
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cache hit ratio, hits, misses and keys over every namespace")
    public Uni<Stats> stats() {
        return cache.stats().map(stats -> {
            long keys = 0;
            long hits = 0;
            long misses = 0;
            for (CacheService.NamespaceStats ns : stats.namespaces()) {
                keys += ns.keys();
                hits += ns.hits();
                misses += ns.misses();
            }
            return new Stats(stats.namespaceCount(), keys, hits, misses,
                    hits + misses == 0 ? 0 : (double) hits / (hits + misses), stats.redis().usedMemoryBytes());
        });
    }
}
