package io.meridian.rag.rest;

import java.util.List;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

import io.meridian.rag.config.RagConfig;
import io.meridian.rag.service.AskService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;

/**
 * {@code POST /api/rag/ask}: an answer from the caller's collections with its citations, whole (JSON) or streamed as
 * server-sent events ({@code Accept: text/event-stream}): {@code piece} events as the model writes, then one
 * {@code answer} event with the whole answer, its mode, model and citations ({@code error} if the model fails).
 */
@Path("/api/rag/ask")
@RolesAllowed("user")
@Consumes(MediaType.APPLICATION_JSON)
public class AskResource {

    private static final Logger LOG = Logger.getLogger(AskResource.class);

    public record AskRequest(@NotBlank @Size(max = 2000) String question,
            @NotNull @NotEmpty @Size(max = 50) List<@NotNull UUID> collectionIds, @Min(1) @Max(20) Integer topK) {
    }

    private final AskService asks;
    private final RagConfig config;
    private final JsonWebToken caller;

    AskResource(AskService asks, RagConfig config, JsonWebToken caller) {
        this.asks = asks;
        this.config = config;
        this.caller = caller;
    }

    @POST
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Answer a question from the caller's collections, with citations")
    public AskService.Answer ask(@Valid @NotNull AskRequest request) {
        return asks.ask(owner(), request.question(), request.collectionIds(), topK(request));
    }

    @POST
    @Blocking
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "The same answer streamed as server-sent events: piece..., then answer (with citations)")
    public Multi<OutboundSseEvent> stream(@Valid @NotNull AskRequest request, @Context Sse sse) {
        // Retrieval and the model's place first, so that a collection that is not the caller's is a plain 404 and a
        // limit a plain 429, not a broken stream.
        AskService.PendingAnswer pending = asks.prepareStream(owner(), request.question(), request.collectionIds(),
                topK(request));
        return Multi.createFrom().<OutboundSseEvent>emitter(emitter -> asks.stream(pending,
                new AskService.Listener() {
                    @Override
                    public void piece(String text) {
                        emitter.emit(sse.newEventBuilder().name("piece").data(text).build());
                    }

                    @Override
                    public void done(AskService.Answer answer) {
                        emitter.emit(sse.newEventBuilder().name("answer").mediaType(MediaType.APPLICATION_JSON_TYPE)
                                .data(AskService.Answer.class, answer).build());
                        emitter.complete();
                    }

                    @Override
                    public void failed(Throwable failure) {
                        LOG.warnf("The chat model failed while streaming: %s", failure.toString());
                        emitter.emit(sse.newEventBuilder().name("error")
                                .data("The chat model failed: " + failure.getMessage()).build());
                        emitter.complete();
                    }
                })).onTermination().invoke(pending::close);
    }

    private int topK(AskRequest request) {
        return request.topK() == null ? Math.min(5, config.search().defaultTopK()) : request.topK();
    }

    private UUID owner() {
        return UUID.fromString(caller.getSubject());
    }
}
