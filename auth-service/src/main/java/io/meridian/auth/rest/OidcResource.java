package io.meridian.auth.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.meridian.auth.service.OidcLoginService;
import io.meridian.auth.service.TokenPair;

/** Sign-in through an external OpenID Connect provider (authorization code + PKCE). */
@Path("/api/auth/oauth/{provider}")
@Produces(MediaType.APPLICATION_JSON)
public class OidcResource {

    private final OidcLoginService oidc;
    private final Caller caller;

    OidcResource(OidcLoginService oidc, Caller caller) {
        this.oidc = oidc;
        this.caller = caller;
    }

    /** Sends the browser to the provider. */
    @GET
    @Path("/authorize")
    public Response authorize(@PathParam("provider") String provider) {
        return Response.seeOther(oidc.start(provider)).cacheControl(CacheControl.valueOf("no-store")).build();
    }

    /** Where the provider sends the browser back; answers a token pair. */
    @GET
    @Path("/callback")
    public Response callback(@PathParam("provider") String provider, @QueryParam("code") String code,
            @QueryParam("state") String state, @QueryParam("error") String error) {
        TokenPair pair = oidc.finish(provider, code, state, error, caller.address(), caller.userAgent());
        return Response.ok(pair).cacheControl(CacheControl.valueOf("no-store")).build();
    }
}
