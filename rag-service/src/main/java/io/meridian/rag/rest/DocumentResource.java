package io.meridian.rag.rest;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;

import io.meridian.rag.rest.Views.DocumentView;
import io.meridian.rag.service.DocumentService;

/** A document: its state, its original, its deletion (API.md, rag part). */
@Path("/api/rag/documents")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
public class DocumentResource {

    private final DocumentService documents;
    private final JsonWebToken caller;

    DocumentResource(DocumentService documents, JsonWebToken caller) {
        this.documents = documents;
        this.caller = caller;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A document and where its ingestion stands")
    public DocumentView get(@PathParam("id") UUID id) {
        return DocumentView.of(documents.owned(owner(), id));
    }

    @GET
    @Path("/{id}/content")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "The original bytes, with their content type")
    public Response content(@PathParam("id") UUID id) {
        DocumentService.Original original = documents.original(owner(), id);
        return Response.ok((StreamingOutput) original.body()::writeTo).type(original.contentType())
                .header(HttpHeaders.CONTENT_LENGTH, original.size()).build();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a document, its original and its passages")
    public Response delete(@PathParam("id") UUID id) {
        documents.delete(owner(), id);
        return Response.noContent().build();
    }

    private UUID owner() {
        return UUID.fromString(caller.getSubject());
    }
}
