package io.meridian.auth.rest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.meridian.auth.service.SigningKeys;

/** The public keys (JWKS) and the OpenID discovery document. */
@Path("/.well-known")
@Produces(MediaType.APPLICATION_JSON)
public class WellKnownResource {

    private final SigningKeys keys;
    private final String issuer;

    WellKnownResource(SigningKeys keys, @ConfigProperty(name = "mp.jwt.verify.issuer") String issuer) {
        this.keys = keys;
        this.issuer = issuer;
    }

    @GET
    @Path("/jwks.json")
    public Response jwks() {
        CacheControl cache = new CacheControl();
        cache.setMaxAge(60);
        return Response.ok(keys.jwks()).cacheControl(cache).build();
    }

    @GET
    @Path("/openid-configuration")
    public Map<String, Object> discovery() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("issuer", issuer);
        document.put("jwks_uri", issuer + "/.well-known/jwks.json");
        document.put("token_endpoint", issuer + "/api/auth/token");
        document.put("grant_types_supported", List.of("client_credentials", "refresh_token", "password"));
        document.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        document.put("response_types_supported", List.of("token"));
        document.put("subject_types_supported", List.of("public"));
        document.put("id_token_signing_alg_values_supported", List.of(SigningKeys.ALGORITHM));
        document.put("claims_supported", List.of("sub", "email", "groups", "scope", "sid", "iss", "aud", "exp", "iat", "jti"));
        return document;
    }
}
