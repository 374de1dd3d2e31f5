package io.meridian.rag.rest;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;

import io.meridian.platform.rest.PageResponse;
import io.meridian.rag.domain.KnowledgeCollection;
import io.meridian.rag.rest.Views.CollectionView;
import io.meridian.rag.service.CollectionService;


/** A user's collections (API.md, rag part). */
@Path("/api/rag/collections")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class CollectionResource {

    public record NewCollection(@NotBlank @Size(max = 200) String name, @Size(max = 2000) String description) {
    }

    private final CollectionService collections;
    private final JsonWebToken caller;

    CollectionResource(CollectionService collections, JsonWebToken caller) {
        this.collections = collections;
        this.caller = caller;
    }

    @POST
    @Operation(summary = "Create a collection")
    public Response create(@Valid @NotNull NewCollection request) {
        KnowledgeCollection collection = collections.create(owner(), request.name(), request.description());
        return Response.created(URI.create("/api/rag/collections/" + collection.id))
                .entity(CollectionView.of(collection, 0)).build();
    }

    @GET
    @Operation(summary = "The caller's collections, newest first")
    public PageResponse<CollectionView> list(@QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(PageResponse.MAX_SIZE) int size) {
        List<KnowledgeCollection> found = collections.list(owner(), page, size);
        Map<UUID, Long> counts = collections.documentCounts(found.stream().map(c -> c.id).toList());
        return PageResponse.of(found, c -> CollectionView.of(c, counts.getOrDefault(c.id, 0L)), page, size,
                collections.count(owner()));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One of the caller's collections")
    public CollectionView get(@PathParam("id") UUID id) {
        KnowledgeCollection collection = collections.owned(owner(), id);
        return CollectionView.of(collection, collections.documentCounts(List.of(id)).getOrDefault(id, 0L));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a collection with its documents")
    public Response delete(@PathParam("id") UUID id) {
        collections.delete(owner(), id);
        return Response.noContent().build();
    }

    private UUID owner() {
        return UUID.fromString(caller.getSubject());
    }
}
