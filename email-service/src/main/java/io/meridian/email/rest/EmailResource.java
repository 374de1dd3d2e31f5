package io.meridian.email.rest;

import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.meridian.email.domain.Delivery;
import io.meridian.email.rest.EmailApi.DeliveryView;
import io.meridian.email.rest.EmailApi.Preview;
import io.meridian.email.rest.EmailApi.PreviewRequest;
import io.meridian.email.rest.EmailApi.SendRequest;
import io.meridian.email.service.DeliveryService;
import io.meridian.email.service.MailTemplates;
import io.meridian.platform.problem.ProblemException;
import io.meridian.platform.rest.PageResponse;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.quarkus.security.Authenticated;

/** Sending mail on request, the delivery log and the templates (API.md, email part). */
@Path("/api/email")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class EmailResource {

    private final DeliveryService deliveries;
    private final MailTemplates templates;
    private final JsonWebToken token;

    EmailResource(DeliveryService deliveries, MailTemplates templates, JsonWebToken token) {
        this.deliveries = deliveries;
        this.templates = templates;
        this.token = token;
    }

    /** Admins, and machine clients granted {@code email:send}. */
    @POST
    @Path("/messages")
    @Authenticated
    public Response send(@Valid @NotNull SendRequest request) {
        String scope = token.getClaim("scope");
        boolean allowed = token.getGroups().contains("admin")
                || (scope != null && Set.of(scope.split(" ")).contains("email:send"));
        if (!allowed) {
            throw ProblemException.forbidden("Sending mail needs the admin role or the email:send scope.");
        }
        if (templates.find(request.template()).isEmpty()) {
            throw ProblemException.invalidField("template", "is not a known template");
        }
        Delivery delivery = deliveries.enqueue(request.to(), request.template(),
                request.data() == null ? new HashMap<>() : request.data(), request.locale(), null);
        return Response.accepted(DeliveryView.of(delivery)).build();
    }

    @GET
    @Path("/messages")
    @RolesAllowed("admin")
    @jakarta.transaction.Transactional
    public PageResponse<DeliveryView> list(@QueryParam("to") @Size(max = 254) String to,
            @QueryParam("status") Delivery.Status status,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(PageResponse.MAX_SIZE) int size) {
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        if (to != null && !to.isBlank()) {
            where.append(" and recipient = :to");
            params.and("to", to);
        }
        if (status != null) {
            where.append(" and status = :status");
            params.and("status", status);
        }
        var query = Delivery.<Delivery>find(where.toString(), Sort.descending("createdAt").and("id"), params);
        return PageResponse.of(query.page(Page.of(page, size)).list(), DeliveryView::of, page, size, query.count());
    }

    @GET
    @Path("/messages/{id}")
    @RolesAllowed("admin")
    @jakarta.transaction.Transactional
    public DeliveryView get(@PathParam("id") UUID id) {
        Delivery delivery = Delivery.findById(id);
        if (delivery == null) {
            throw ProblemException.notFound("No delivery " + id + ".");
        }
        return DeliveryView.of(delivery);
    }

    @GET
    @Path("/templates")
    @RolesAllowed("admin")
    public List<MailTemplates.Info> templates() {
        return templates.all();
    }

    @POST
    @Path("/templates/{name}/preview")
    @RolesAllowed("admin")
    public Preview preview(@PathParam("name") String name, @Valid PreviewRequest request) {
        if (templates.find(name).isEmpty()) {
            throw ProblemException.notFound("No template " + name + ".");
        }
        try {
            MailTemplates.Rendered mail = templates.render(name,
                    request == null || request.data() == null ? new HashMap<>() : request.data());
            return new Preview(mail.subject(), mail.html(), mail.text());
        } catch (io.quarkus.qute.TemplateException e) {
            throw ProblemException.badRequest("The template cannot be rendered with this data: " + e.getMessage());
        }
    }
}
