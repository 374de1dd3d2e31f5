package io.meridian.auth.rest;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.meridian.auth.domain.User;
import io.meridian.auth.rest.AuthApi.ChangePasswordRequest;
import io.meridian.auth.rest.AuthApi.LoginRequest;
import io.meridian.auth.rest.AuthApi.LogoutRequest;
import io.meridian.auth.rest.AuthApi.PasswordResetConfirmation;
import io.meridian.auth.rest.AuthApi.PasswordResetRequest;
import io.meridian.auth.rest.AuthApi.RefreshRequest;
import io.meridian.auth.rest.AuthApi.RegisterRequest;
import io.meridian.auth.rest.AuthApi.SessionView;
import io.meridian.auth.rest.AuthApi.TokenRequest;
import io.meridian.auth.rest.AuthApi.UserView;
import io.meridian.auth.service.AccountService;
import io.meridian.auth.service.SessionService;
import io.meridian.auth.service.TokenPair;
import io.meridian.platform.problem.ProblemException;
import io.quarkus.security.Authenticated;

/** Accounts, logins, tokens and sessions: the auth part of API.md. */
@Path("/api/auth")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AuthResource {

    private final AccountService accounts;
    private final SessionService sessions;
    private final Caller caller;

    AuthResource(AccountService accounts, SessionService sessions, Caller caller) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.caller = caller;
    }

    @POST
    @Path("/register")
    public Response register(@Valid @jakarta.validation.constraints.NotNull RegisterRequest request) {
        User user = accounts.register(request.email(), request.password(), request.displayName());
        return Response.created(URI.create("/api/auth/users/" + user.id)).entity(UserView.of(user)).build();
    }

    @POST
    @Path("/verify-email")
    public void verifyEmail(@Valid @jakarta.validation.constraints.NotNull TokenRequest request) {
        accounts.verifyEmail(request.token());
    }

    @POST
    @Path("/login")
    public TokenPair login(@Valid @jakarta.validation.constraints.NotNull LoginRequest request) {
        return sessions.login(request.email(), request.password(), caller.address(), caller.userAgent());
    }

    @POST
    @Path("/refresh")
    public TokenPair refresh(@Valid @jakarta.validation.constraints.NotNull RefreshRequest request) {
        return sessions.refresh(request.refreshToken(), caller.address(), caller.userAgent());
    }

    @POST
    @Path("/logout")
    @Authenticated
    public void logout(@Valid LogoutRequest request) {
        sessions.logout(caller.userId(), caller.sessionId(), request == null ? null : request.refreshToken());
    }

    @GET
    @Path("/me")
    @Authenticated
    public UserView me() {
        User user = User.findById(caller.userId());
        if (user == null) {
            throw ProblemException.notFound("The account no longer exists.");
        }
        return UserView.of(user);
    }

    @PUT
    @Path("/me/password")
    @Authenticated
    public void changePassword(@Valid @jakarta.validation.constraints.NotNull ChangePasswordRequest request) {
        accounts.changePassword(caller.userId(), caller.sessionId(), request.currentPassword(), request.newPassword(),
                caller.address());
    }

    @POST
    @Path("/password-reset")
    public Response requestPasswordReset(@Valid @jakarta.validation.constraints.NotNull PasswordResetRequest request) {
        accounts.requestPasswordReset(request.email());
        return Response.accepted().build();
    }

    @POST
    @Path("/password-reset/confirm")
    public void confirmPasswordReset(@Valid @jakarta.validation.constraints.NotNull PasswordResetConfirmation request) {
        accounts.confirmPasswordReset(request.token(), request.newPassword());
    }

    @GET
    @Path("/sessions")
    @Authenticated
    public List<SessionView> sessions() {
        return SessionView.of(sessions.sessionsOf(caller.userId()), caller.sessionId());
    }

    @DELETE
    @Path("/sessions/{id}")
    @Authenticated
    public void revokeSession(@PathParam("id") java.util.UUID id) {
        sessions.revokeOwn(caller.userId(), id);
    }
}
