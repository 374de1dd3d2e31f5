package io.meridian.gateway.admin;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.meridian.platform.admin.EffectiveConfigResource;
import io.smallrye.mutiny.Uni;

/** The platform seen from the front door: merged OpenAPI, every service's settings, and traffic analytics. */
@Path("/")
@Tag(name = "gateway")
public class AdminResource {

    /** A service's part of an aggregated answer: what it said, or why it said nothing. */
    public record Part(Object value, String error) {
    }

    public record Analytics(List<TrafficAnalytics.Traffic> traffic, Map<String, Part> services) {
    }

    private final OpenApiAggregator openApi;
    private final ServiceCalls services;
    private final TrafficAnalytics traffic;
    private final EffectiveConfigResource ownConfig;
    private final ObjectMapper mapper;

    AdminResource(OpenApiAggregator openApi, ServiceCalls services, TrafficAnalytics traffic,
            EffectiveConfigResource ownConfig, ObjectMapper mapper) {
        this.openApi = openApi;
        this.services = services;
        this.traffic = traffic;
        this.ownConfig = ownConfig;
        this.mapper = mapper;
    }

    @GET
    @Path("openapi")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One OpenAPI document merging every service's, with paths as clients see them")
    public Uni<ObjectNode> openapi() {
        return openApi.merged();
    }

    @GET
    @Path("api/admin/config")
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Each service's effective settings, secrets redacted")
    public Uni<Map<String, Part>> config(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Map<String, String> gateway = ownConfig.effective();
        return services.getAll("/admin/config", authorization).map(answers -> {
            Map<String, Part> parts = new TreeMap<>(parts(answers));
            parts.put("gateway", new Part(gateway, null));
            return parts;
        });
    }

    @GET
    @Path("api/admin/analytics")
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Request rate, error rate and p95 latency per service and route class; what services report")
    public Uni<Analytics> analytics(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        List<TrafficAnalytics.Traffic> now = traffic.lastMinute();
        return services.getAll("/admin/stats", authorization).map(answers -> {
            Map<String, Part> reported = new LinkedHashMap<>();
            parts(answers).forEach((service, part) -> {
                if (part.value() != null) { // services without statistics yet answer 404 and are left out
                    reported.put(service, part);
                }
            });
            return new Analytics(now, reported);
        });
    }

    @GET
    @Path("api/admin/dead-letters")
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Each consuming service's dead-letter topics: records held, re-driven and waiting")
    public Uni<Map<String, Part>> deadLetters(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return services.getAll("/admin/dead-letters", authorization).map(this::consumers);
    }

    @POST
    @Path("api/admin/dead-letters/redrive")
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Re-drives what waits in every service's dead-letter topics to the topics it came from")
    public Uni<Map<String, Part>> redrive(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return services.postAll("/admin/dead-letters/redrive", authorization).map(this::consumers);
    }

    /** The answers of the services that consume events (the others answer 404 and are left out). */
    private Map<String, Part> consumers(Map<String, ServiceCalls.Answer> answers) {
        Map<String, Part> parts = new TreeMap<>();
        parts(answers).forEach((service, part) -> {
            if (answers.get(service).status() != 404) {
                parts.put(service, part);
            }
        });
        return parts;
    }

    private Map<String, Part> parts(Map<String, ServiceCalls.Answer> answers) {
        Map<String, Part> parts = new TreeMap<>();
        answers.forEach((service, answer) -> {
            if (answer.ok()) {
                try {
                    parts.put(service, new Part(mapper.readTree(answer.body().getBytes()), null));
                    return;
                } catch (IOException e) {
                    parts.put(service, new Part(null, "unreadable answer: " + e.getMessage()));
                    return;
                }
            }
            parts.put(service, new Part(null, answer.error() != null ? answer.error() : "answered " + answer.status()));
        });
        return parts;
    }
}
