package io.meridian.rag.rest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
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
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.meridian.platform.problem.ProblemException;
import io.meridian.platform.rest.PageResponse;
import io.meridian.rag.config.RagConfig;
import io.meridian.rag.domain.Document;
import io.meridian.rag.rest.Views.DocumentView;
import io.meridian.rag.service.ContentExtractor;
import io.meridian.rag.service.DocumentService;

/** Documents into a collection: files, JSON and batches, indexed in the background (API.md, rag part). */
@Path("/api/rag/collections/{collectionId}/documents")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
public class CollectionDocumentsResource {

    /** A document given as text. */
    public record JsonDocument(@NotBlank @Size(max = 500) String title, @NotNull @Size(min = 1, max = 5_000_000) String text,
            @Size(max = 500) String externalId, Map<String, Object> metadata) {
    }

    public record Batch(@NotNull @NotEmpty List<@Valid @NotNull JsonDocument> documents) {
    }

    private final DocumentService documents;
    private final ContentExtractor extractor;
    private final RagConfig config;
    private final JsonWebToken caller;

    CollectionDocumentsResource(DocumentService documents, ContentExtractor extractor, RagConfig config, JsonWebToken caller) {
        this.documents = documents;
        this.extractor = extractor;
        this.config = config;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload a file (plain text, Markdown, HTML or PDF, told by its content); indexed in the background")
    public Response upload(@PathParam("collectionId") UUID collectionId, @RestForm("file") FileUpload file,
            @RestForm("title") String title, @RestForm("externalId") String externalId) throws IOException {
        if (file == null) {
            throw ProblemException.invalidField("file", "is required");
        }
        if (Files.size(file.uploadedFile()) == 0) {
            throw ProblemException.invalidField("file", "is empty");
        }
        // the HTTP layer wrote the upload to a file as it arrived; it is read from there, never whole into the heap
        String type = extractor.detect(file.uploadedFile(), file.fileName());
        String name = title != null && !title.isBlank() ? title.strip() : file.fileName() == null ? "untitled" : file.fileName();
        if (name.length() > 500 || (externalId != null && externalId.length() > 500)) {
            throw ProblemException.invalidField(name.length() > 500 ? "title" : "externalId", "is longer than 500");
        }
        Document document = documents.add(owner(), collectionId,
                List.of(DocumentService.Upload.ofFile(name, externalId, file.uploadedFile(), type))).get(0);
        return Response.accepted(DocumentView.of(document)).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a document given as text; indexed in the background")
    public Response add(@PathParam("collectionId") UUID collectionId, @Valid @NotNull JsonDocument request) {
        Document document = documents.add(owner(), collectionId, List.of(upload(request))).get(0);
        return Response.accepted(DocumentView.of(document)).build();
    }

    @POST
    @Path("/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add up to 1,000 documents given as text in one call")
    public Response addBatch(@PathParam("collectionId") UUID collectionId, @Valid @NotNull Batch request) {
        if (request.documents().size() > config.batchMaxDocuments()) {
            throw ProblemException.invalidField("documents", "at most " + config.batchMaxDocuments() + " per call");
        }
        List<DocumentService.Upload> uploads = new ArrayList<>(request.documents().size());
        request.documents().forEach(d -> uploads.add(upload(d)));
        List<DocumentView> added = documents.add(owner(), collectionId, uploads).stream().map(DocumentView::of).toList();
        return Response.accepted(added).build();
    }

    @GET
    @Operation(summary = "A collection's documents, newest first")
    public PageResponse<DocumentView> list(@PathParam("collectionId") UUID collectionId,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(PageResponse.MAX_SIZE) int size) {
        return PageResponse.of(documents.list(owner(), collectionId, page, size), DocumentView::of, page, size,
                documents.count(collectionId));
    }

    private static DocumentService.Upload upload(JsonDocument d) {
        return DocumentService.Upload.ofText(d.title().strip(), d.externalId(), d.metadata(),
                d.text().getBytes(StandardCharsets.UTF_8));
    }

    private UUID owner() {
        return UUID.fromString(caller.getSubject());
    }
}
