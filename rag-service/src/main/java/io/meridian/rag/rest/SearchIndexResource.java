package io.meridian.rag.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.meridian.rag.service.SearchIndexes;

/**
 * The search engine's indexes of chunks, for admins: which one is searched, and a rebuild from PostgreSQL into a new
 * index that then takes the alias (recovery, a change of embedding model) while searches keep answering.
 */
@Path("/api/rag/admin/indexes")
@Tag(name = "admin")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class SearchIndexResource {

    private final SearchIndexes indexes;

    SearchIndexResource(SearchIndexes indexes) {
        this.indexes = indexes;
    }

    @GET
    @Operation(summary = "The indexes of chunks: active, being built, retired (newest first)")
    public List<SearchIndexes.Recorded> list() {
        return indexes.recorded();
    }

    @POST
    @Path("/rebuild")
    @Operation(summary = "Rebuild the index from PostgreSQL into a new one and switch searches to it when done")
    public Response rebuild() {
        return Response.accepted(indexes.rebuild()).build();
    }
}
