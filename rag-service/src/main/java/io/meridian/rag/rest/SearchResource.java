package io.meridian.rag.rest;

import java.util.List;
import java.util.Locale;
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
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;

import io.meridian.platform.problem.ProblemException;
import io.meridian.rag.config.RagConfig;
import io.meridian.rag.service.SearchService;

/** {@code POST /api/rag/search}: keyword, vector or hybrid search over the caller's collections. */
@Path("/api/rag/search")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SearchResource {

    public record SearchRequest(@NotBlank @Size(max = 2000) String query,
            @NotNull @NotEmpty @Size(max = 50) List<@NotNull UUID> collectionIds,
            @Min(1) @Max(50) Integer topK, String mode, @Size(max = 16) String fusion) {
    }

    public record SearchResponse(String mode, List<SearchService.Result> results) {
    }

    private final SearchService search;
    private final RagConfig config;
    private final JsonWebToken caller;

    SearchResource(SearchService search, RagConfig config, JsonWebToken caller) {
        this.search = search;
        this.config = config;
        this.caller = caller;
    }

    @POST
    @Operation(summary = "Find passages: keyword (full text), vector (embeddings) or hybrid (both, fused; fusion "
            + "min-max, z-score or rrf, the deployment's by default)")
    public SearchResponse search(@Valid @NotNull SearchRequest request) {
        SearchService.Mode mode = mode(request.mode());
        int topK = request.topK() == null ? config.search().defaultTopK() : request.topK();
        UUID owner = UUID.fromString(caller.getSubject());
        List<UUID> collections = request.collectionIds().stream().distinct().toList();
        if (request.fusion() == null || request.fusion().isBlank()) {
            return new SearchResponse(mode.name().toLowerCase(Locale.ROOT),
                    search.search(owner, request.query(), collections, topK, mode));
        }
        SearchService.Fusion fusion;
        try {
            fusion = SearchService.Fusion.of(request.fusion());
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalidField("fusion", "must be min-max, z-score or rrf");
        }
        return new SearchResponse(mode.name().toLowerCase(Locale.ROOT),
                search.search(owner, request.query(), collections, topK, mode, fusion));
    }

    static SearchService.Mode mode(String mode) {
        if (mode == null || mode.isBlank()) {
            return SearchService.Mode.HYBRID;
        }
        try {
            return SearchService.Mode.valueOf(mode.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalidField("mode", "must be keyword, vector or hybrid");
        }
    }
}
