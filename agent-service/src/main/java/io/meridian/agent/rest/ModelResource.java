package io.meridian.agent.rest;

import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;

import io.meridian.agent.service.ModelRegistry;
import io.meridian.platform.models.ModelWork;

/** {@code GET /api/models}: the configured chat and embedding models with their live status. */
@Path("/api/models")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    private final ModelRegistry models;
    private final ModelWork modelWork;
    private final JsonWebToken caller;

    ModelResource(ModelRegistry models, ModelWork modelWork, JsonWebToken caller) {
        this.models = models;
        this.modelWork = modelWork;
        this.caller = caller;
    }

    @GET
    @Path("/budget")
    @Operation(summary = "The caller's model tokens per UTC day (0: no budget), used today by asks and runs, and when "
            + "the count starts again")
    public ModelWork.Budget budget() {
        return modelWork.budget(UUID.fromString(caller.getSubject()));
    }

    @GET
    @Operation(summary = "Configured models: UP, DOWN (the provider does not answer) or UNCONFIGURED")
    public List<ModelRegistry.ModelView> list() {
        return models.list();
    }
}
