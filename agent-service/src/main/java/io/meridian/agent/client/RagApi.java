package io.meridian.agent.client;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** rag-service's search API, called as the run's user (their bearer token), so it finds only their documents. */
@RegisterRestClient(configKey = "rag")
@Path("/api/rag")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface RagApi {

    record SearchRequest(String query, List<UUID> collectionIds, Integer topK, String mode) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Hit(String documentId, String externalId, String title, Long chunkId, String text, double score) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record SearchResponse(String mode, List<Hit> results) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Collection(UUID id, String name) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record CollectionPage(List<Collection> items, long total) {
    }

    @POST
    @Path("/search")
    SearchResponse search(@HeaderParam("Authorization") String authorization, SearchRequest request);

    @GET
    @Path("/collections")
    CollectionPage collections(@HeaderParam("Authorization") String authorization, @QueryParam("page") int page,
            @QueryParam("size") int size);
}
