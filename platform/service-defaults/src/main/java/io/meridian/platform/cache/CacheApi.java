package io.meridian.platform.cache;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** cache-service's entry endpoints, as a REST client interface (used through {@link CacheClient}). */
@Path("/api/cache/{namespace}/{key}")
public interface CacheApi {

    @GET
    @Produces(MediaType.WILDCARD)
    Response get(@PathParam("namespace") String namespace, @PathParam("key") String key,
            @HeaderParam("Authorization") String authorization);

    @PUT
    @Consumes(MediaType.WILDCARD)
    Response put(@PathParam("namespace") String namespace, @PathParam("key") String key, @QueryParam("ttl") long ttlSeconds,
            @HeaderParam("Content-Type") String contentType, @HeaderParam("Authorization") String authorization,
            byte[] value);

    @DELETE
    Response delete(@PathParam("namespace") String namespace, @PathParam("key") String key,
            @HeaderParam("Authorization") String authorization);
}
