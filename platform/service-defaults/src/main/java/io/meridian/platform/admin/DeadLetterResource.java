package io.meridian.platform.admin;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.meridian.platform.events.DeadLetters;
import io.meridian.platform.problem.ProblemException;
import io.quarkus.arc.properties.IfBuildProperty;
import io.smallrye.common.annotation.Blocking;

/**
 * {@code /admin/dead-letters}: this service's dead-letter topics and their re-drive (ADR 0016). Admins only; the
 * gateway gathers every service's under {@code /api/admin/dead-letters}, and {@code ./meridian redrive} calls it.
 */
@Path("/admin/dead-letters")
@Tag(name = "admin")
@IfBuildProperty(name = "meridian.consumer.enabled", stringValue = "true")
public class DeadLetterResource {

    private final DeadLetters deadLetters;

    DeadLetterResource(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GET
    @Blocking
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "This service's dead-letter topics: records held, re-driven and waiting")
    public List<DeadLetters.Topic> status() {
        return deadLetters.status();
    }

    @POST
    @Path("redrive")
    @Blocking
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Publishes what waits in this service's dead-letter topics (or in one) to the topics it came from")
    public List<DeadLetters.Redriven> redrive(@QueryParam("topic") String topic) {
        if (topic != null && !deadLetters.topics().contains(topic)) {
            throw ProblemException.notFound("No dead-letter topic " + topic + " in this service.");
        }
        return deadLetters.redrive(topic);
    }
}
