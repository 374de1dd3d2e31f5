package io.meridian.platform.testapp;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** A REST client to the test application itself, standing for a call to another service. */
@RegisterRestClient(configKey = "self")
@Path("/notes")
public interface SelfClient {

    @GET
    @Path("/request-id")
    @Produces(MediaType.TEXT_PLAIN)
    String requestId();
}
