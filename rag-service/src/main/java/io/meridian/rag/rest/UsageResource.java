package io.meridian.rag.rest;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;

import io.meridian.platform.rest.PageResponse;
import io.meridian.rag.service.Quotas;

/** What a user holds against the deployment's quotas: their own, and every user's for admins. */
@Path("/api/rag")
@Produces(MediaType.APPLICATION_JSON)
public class UsageResource {

    /** One user's usage with the limits it counts against. */
    public record UsageView(UUID userId, long collections, long documents, long originalBytes, long chunks,
            Quotas.Limits limits) {

        static UsageView of(UUID userId, Quotas.Usage usage, Quotas.Limits limits) {
            return new UsageView(userId, usage.collections(), usage.documents(), usage.originalBytes(), usage.chunks(),
                    limits);
        }
    }

    private final Quotas quotas;
    private final JsonWebToken caller;

    UsageResource(Quotas quotas, JsonWebToken caller) {
        this.quotas = quotas;
        this.caller = caller;
    }

    @GET
    @Path("/usage")
    @RolesAllowed("user")
    @Operation(summary = "What the caller holds: collections, documents, bytes of originals and chunks, with the limits")
    public UsageView mine() {
        UUID owner = UUID.fromString(caller.getSubject());
        return UsageView.of(owner, quotas.usage(owner), quotas.limits());
    }

    @GET
    @Path("/admin/usage")
    @RolesAllowed("admin")
    @Operation(summary = "Every user who holds anything, the most bytes of originals first (admins)")
    public PageResponse<UsageView> all(@QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(PageResponse.MAX_SIZE) int size) {
        Quotas.Limits limits = quotas.limits();
        return PageResponse.of(quotas.holders(page, size), h -> UsageView.of(h.userId(), h.usage(), limits), page, size,
                quotas.holderCount());
    }

    @GET
    @Path("/admin/usage/{userId}")
    @RolesAllowed("admin")
    @Operation(summary = "One user's usage (admins)")
    public UsageView of(@PathParam("userId") UUID userId) {
        return UsageView.of(userId, quotas.usage(userId), quotas.limits());
    }
}
