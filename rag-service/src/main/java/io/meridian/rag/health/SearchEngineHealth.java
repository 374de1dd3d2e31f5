package io.meridian.rag.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.health.api.HealthGroup;
import io.meridian.rag.client.ChunkIndex;
import io.meridian.rag.service.SearchIndexer;

/**
 * Whether the search engine answers and takes writes, under {@code /q/health/group/dependencies}. Not a readiness
 * check on purpose: without the engine, search and answers fail (503) and new documents wait PENDING, while the rest
 * of rag-service (collections, uploads, originals, deletions) keeps working, so the replica stays in the Service.
 */
@HealthGroup("dependencies")
@ApplicationScoped
public class SearchEngineHealth implements HealthCheck {

    private final ChunkIndex index;
    private final SearchIndexer indexer;

    SearchEngineHealth(ChunkIndex index, SearchIndexer indexer) {
        this.index = index;
        this.indexer = indexer;
    }

    @Override
    public HealthCheckResponse call() {
        boolean reachable = index.reachable();
        String failure = indexer.lastFailure();
        return HealthCheckResponse.named("search-engine").status(reachable && failure == null)
                .withData("alias", index.alias()).withData("reachable", reachable)
                .withData("writes", failure == null ? "ok" : failure).build();
    }
}
