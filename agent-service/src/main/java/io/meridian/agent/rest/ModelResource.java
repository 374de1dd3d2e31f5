package io.meridian.agent.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.meridian.agent.service.ModelRegistry;

/** {@code GET /api/models}: the configured chat and embedding models with their live status. */
@Path("/api/models")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    private final ModelRegistry models;

    ModelResource(ModelRegistry models) {
        this.models = models;
    }

    @GET
    @Operation(summary = "Configured models: UP, DOWN (the provider does not answer) or UNCONFIGURED")
    public List<ModelRegistry.ModelView> list() {
        return models.list();
    }
}
