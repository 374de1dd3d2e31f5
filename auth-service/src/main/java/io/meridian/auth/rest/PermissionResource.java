package io.meridian.auth.rest;

import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.meridian.auth.domain.User;
import io.meridian.auth.rest.AuthApi.PermissionAnswer;
import io.meridian.auth.rest.AuthApi.PermissionCheck;
import io.meridian.auth.service.Permissions;
import io.meridian.platform.problem.ProblemException;
import io.quarkus.security.Authenticated;

/**
 * Answers whether a user or client may do {@code resource:action}. Users are judged by their current roles (so a
 * role change shows here at once); machine clients by their token's scopes. Only admins may ask about another user.
 */
@Path("/api/auth/permissions/check")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
public class PermissionResource {

    private final Permissions permissions;
    private final Caller caller;

    PermissionResource(Permissions permissions, Caller caller) {
        this.permissions = permissions;
        this.caller = caller;
    }

    @POST
    @jakarta.transaction.Transactional
    public PermissionAnswer check(@Valid @NotNull PermissionCheck check) {
        String wanted = check.resource() + ":" + check.action();
        if (check.userId() != null) {
            if (!caller.isAdmin()) {
                throw ProblemException.forbidden("Only admins may check another user's permissions.");
            }
            User user = User.findById(check.userId());
            if (user == null) {
                throw ProblemException.notFound("No user " + check.userId() + ".");
            }
            return new PermissionAnswer(permissions.of(user.roles).contains(wanted));
        }
        if (caller.isClient()) {
            return new PermissionAnswer(Set.of(caller.scope().split(" ")).contains(wanted));
        }
        User user = User.findById(caller.userId());
        return new PermissionAnswer(user != null && permissions.of(user.roles).contains(wanted));
    }

}
