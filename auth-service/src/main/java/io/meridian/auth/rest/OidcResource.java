package io.meridian.auth.rest;

import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import io.meridian.auth.service.OidcLoginService;
import io.meridian.auth.service.TokenPair;

/** Sign-in through an external OpenID Connect provider (authorization code + PKCE). */
@Path("/api/auth/oauth/{provider}")
@Produces(MediaType.APPLICATION_JSON)
public class OidcResource {

    private final OidcLoginService oidc;
    private final Caller caller;
    private final boolean secureCookie;

    OidcResource(OidcLoginService oidc, Caller caller, io.meridian.auth.config.OidcConfig config) {
        this.oidc = oidc;
        this.caller = caller;
        this.secureCookie = config.secureCookie();
    }

    /** The cookie that ties a sign-in to the browser that started it (a leaked callback URL is useless elsewhere). */
    static final String BINDING_COOKIE = "meridian_oidc";

    /** Sends the browser to the provider. */
    @GET
    @Path("/authorize")
    public Response authorize(@PathParam("provider") String provider) {
        OidcLoginService.Start start = oidc.start(provider);
        NewCookie binding = new NewCookie.Builder(BINDING_COOKIE).value(start.browserBinding())
                .path("/api/auth/oauth/" + provider).httpOnly(true).secure(secureCookie)
                .sameSite(NewCookie.SameSite.LAX).maxAge(600).build();
        return Response.seeOther(start.redirect()).cookie(binding).cacheControl(CacheControl.valueOf("no-store")).build();
    }

    /** Where the provider sends the browser back; answers a token pair. */
    @GET
    @Path("/callback")
    public Response callback(@PathParam("provider") String provider, @QueryParam("code") String code,
            @QueryParam("state") String state, @QueryParam("error") String error,
            @CookieParam(BINDING_COOKIE) String binding) {
        TokenPair pair = oidc.finish(provider, code, state, binding, error, caller.address(), caller.userAgent());
        return Response.ok(pair).cacheControl(CacheControl.valueOf("no-store")).build();
    }
}
