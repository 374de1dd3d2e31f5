package io.meridian.cache.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.meridian.cache.service.CacheStore;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Readiness follows the Redis for cache data: without it every cache request is 503, so the replica leaves the
 * Service until it answers again. (Quarkus' own Redis check reports UP while any one of its clients answers.)
 */
@Readiness
@ApplicationScoped
public class CacheStoreHealth implements AsyncHealthCheck {

    private final CacheStore store;

    CacheStoreHealth(CacheStore store) {
        this.store = store;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return store.reachable().map(up -> HealthCheckResponse.named("cache-store").status(up).build());
    }
}
