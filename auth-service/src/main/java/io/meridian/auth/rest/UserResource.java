package io.meridian.auth.rest;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.meridian.auth.rest.AuthApi.RolesRequest;
import io.meridian.auth.rest.AuthApi.UserView;
import io.meridian.auth.service.UserAdminService;
import io.meridian.platform.rest.PageResponse;

/** Admins' view of the accounts. */
@Path("/api/auth/users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("admin")
public class UserResource {

    private final UserAdminService admin;
    private final Caller caller;

    UserResource(UserAdminService admin, Caller caller) {
        this.admin = admin;
        this.caller = caller;
    }

    @GET
    public PageResponse<UserView> list(@QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(PageResponse.MAX_SIZE) int size,
            @QueryParam("q") @Size(max = 100) String query) {
        var found = admin.list(page, size, query);
        return PageResponse.of(found.items(), UserView::of, page, size, found.total());
    }

    @PUT
    @Path("/{id}/roles")
    public UserView setRoles(@PathParam("id") UUID id, @Valid @NotNull RolesRequest request) {
        return UserView.of(admin.setRoles(id, request.roles(), caller.userId()));
    }

    @DELETE
    @Path("/{id}")
    public void delete(@PathParam("id") UUID id) {
        admin.delete(id, caller.userId());
    }
}
