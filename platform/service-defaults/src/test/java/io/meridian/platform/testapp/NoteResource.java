package io.meridian.platform.testapp;

import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.agroal.api.AgroalDataSource;
import io.meridian.platform.events.Outbox;
import io.meridian.platform.problem.ProblemException;

/** A small application inside the tests, to exercise the platform the way a service uses it. */
@Path("/notes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class NoteResource {

    public static final String TOPIC = "test.notes";

    public record NewNote(@NotBlank @Size(max = 200) String text, @Min(1) @Max(5) int priority) {
    }

    @Inject
    Outbox outbox;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    @org.eclipse.microprofile.rest.client.inject.RestClient
    SelfClient self;

    @POST
    @Transactional
    public Response create(@Valid NewNote note) throws Exception {
        UUID id = UUID.randomUUID();
        try (var connection = dataSource.getConnection();
                var insert = connection.prepareStatement("insert into note (id, text) values (?, ?)")) {
            insert.setObject(1, id);
            insert.setString(2, note.text());
            insert.executeUpdate();
        }
        outbox.publish(TOPIC, "note.created", id.toString(), Map.of("id", id, "text", note.text()));
        return Response.status(201).entity(Map.of("id", id, "text", note.text())).build();
    }

    @GET
    @Path("/{id}")
    public Map<String, Object> get(@PathParam("id") UUID id) {
        throw ProblemException.notFound("No note " + id + ".");
    }

    @GET
    @Path("/search")
    public Map<String, Object> search(@QueryParam("size") @Min(1) @Max(100) int size) {
        return Map.of("size", size);
    }

    @POST
    @Path("/conflict")
    public Map<String, Object> conflict() {
        throw ProblemException.conflict("A note with this text exists already.");
    }

    /** What a downstream service sees: the request id it was called with. */
    @GET
    @Path("/request-id")
    @Produces(MediaType.TEXT_PLAIN)
    public String requestId(@jakarta.ws.rs.HeaderParam("X-Request-Id") String requestId) {
        return requestId;
    }

    /** Calls {@link #requestId} through a REST client, as one service calls another. */
    @GET
    @Path("/downstream-request-id")
    @Produces(MediaType.TEXT_PLAIN)
    public String downstreamRequestId() {
        return self.requestId();
    }

    @GET
    @Path("/boom")
    public Map<String, Object> boom() {
        throw new IllegalStateException("connection string postgres://secret@db leaked");
    }

    @GET
    @Path("/admin")
    @RolesAllowed("admin")
    public Map<String, Object> adminOnly() {
        return Map.of("ok", true);
    }

    /** What the logs of this request carry: the MDC's user id and request id, as seen inside the resource. */
    @GET
    @Path("/log-context")
    @RolesAllowed("user")
    public Map<String, Object> logContext() {
        Object user = org.jboss.logging.MDC.get("userId");
        Object request = org.jboss.logging.MDC.get("requestId");
        return Map.of("userId", user == null ? "" : user, "requestId", request == null ? "" : request);
    }
}
