package io.meridian.auth.rest;

import java.net.URI;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.meridian.auth.rest.AuthApi.ClientView;
import io.meridian.auth.rest.AuthApi.CreatedClient;
import io.meridian.auth.rest.AuthApi.NewClient;
import io.meridian.auth.service.ClientService;

/** Machine clients (admin-created) and their OAuth 2.0 client-credentials token endpoint. */
@Path("/api/auth")
public class ClientResource {

    private static final CacheControl NO_STORE = CacheControl.valueOf("no-store");

    private final ClientService clients;
    private final Caller caller;

    ClientResource(ClientService clients, Caller caller) {
        this.clients = clients;
        this.caller = caller;
    }

    @POST
    @Path("/clients")
    @RolesAllowed("admin")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response create(@Valid @NotNull NewClient request) {
        ClientService.Created created = clients.create(request.name(), request.scopes(), caller.userId());
        return Response.created(URI.create("/api/auth/clients/" + created.clientId()))
                .cacheControl(NO_STORE)
                .entity(new CreatedClient(created.clientId(), created.clientSecret(), created.name(), created.scopes()))
                .build();
    }

    @GET
    @Path("/clients")
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    public List<ClientView> list() {
        return clients.list().stream().map(client -> new ClientView(client.clientId, client.name,
                ClientService.scopesOf(client), client.enabled, client.createdBy, client.createdAt,
                client.secretRotatedAt)).toList();
    }

    /** A new secret, shown once; the old secret and every token issued with it stop working at once. */
    @POST
    @Path("/clients/{clientId}/secret")
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    public Response rotateSecret(@PathParam("clientId") String clientId) {
        ClientService.Created rotated = clients.rotateSecret(clientId);
        return Response.ok(new CreatedClient(rotated.clientId(), rotated.clientSecret(), rotated.name(), rotated.scopes()))
                .cacheControl(NO_STORE).header("Pragma", "no-cache").build();
    }

    /** Disabled: no new tokens; the client's outstanding tokens are refused at once by the gateway and every service. */
    @POST
    @Path("/clients/{clientId}/disable")
    @RolesAllowed("admin")
    public void disable(@PathParam("clientId") String clientId) {
        clients.setEnabled(clientId, false);
    }

    @POST
    @Path("/clients/{clientId}/enable")
    @RolesAllowed("admin")
    public void enable(@PathParam("clientId") String clientId) {
        clients.setEnabled(clientId, true);
    }

    @DELETE
    @Path("/clients/{clientId}")
    @RolesAllowed("admin")
    public void delete(@PathParam("clientId") String clientId) {
        clients.delete(clientId);
    }

    /** RFC 6749 section 4.4; the client authenticates with form fields or HTTP Basic. */
    @POST
    @Path("/token")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response token(@FormParam("grant_type") String grantType, @FormParam("client_id") String clientId,
            @FormParam("client_secret") String clientSecret, @FormParam("scope") String scope,
            @HeaderParam("Authorization") String authorization) {
        String[] basic = basicCredentials(authorization);
        if (basic != null) {
            clientId = basic[0];
            clientSecret = basic[1];
        }
        ClientService.ClientToken token = clients.token(grantType, clientId, clientSecret, scope);
        return Response.ok(Map.of("access_token", token.accessToken(), "token_type", "Bearer",
                "expires_in", token.expiresIn(), "scope", String.join(" ", token.scopes())))
                .cacheControl(NO_STORE).header("Pragma", "no-cache").build();
    }

    /** OAuth errors keep OAuth's shape, which clients of the token endpoint expect. */
    @ServerExceptionMapper
    public Response oauthError(ClientService.OAuthError error) {
        Response.ResponseBuilder response = Response.status(error.status).type(MediaType.APPLICATION_JSON)
                .cacheControl(NO_STORE)
                .entity(Map.of("error", error.error, "error_description", error.getMessage()));
        if (error.status == 401) {
            response.header("WWW-Authenticate", "Basic realm=\"meridian\"");
        }
        return response.build();
    }

    private static String[] basicCredentials(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(java.util.Base64.getDecoder().decode(authorization.substring(6).trim()),
                    java.nio.charset.StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return null;
            }
            return new String[] { java.net.URLDecoder.decode(decoded.substring(0, colon), java.nio.charset.StandardCharsets.UTF_8),
                    java.net.URLDecoder.decode(decoded.substring(colon + 1), java.nio.charset.StandardCharsets.UTF_8) };
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
