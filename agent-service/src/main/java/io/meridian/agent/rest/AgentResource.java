package io.meridian.agent.rest;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;

import io.meridian.agent.rest.Views.AgentView;
import io.meridian.agent.service.AgentService;
import io.meridian.agent.tool.ToolRegistry;
import io.meridian.platform.rest.PageResponse;

/** A user's agents and the tools they may be given (API.md, agent part). */
@Path("/api/agents")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AgentResource {

    public record AgentRequest(@NotBlank @Size(max = 100) String name, @NotBlank @Size(max = 20_000) String instructions,
            @Size(max = 20) List<@NotBlank @Size(max = 100) String> tools, @Size(max = 100) String model,
            Integer maxSteps, Integer timeLimitSeconds) {

        AgentService.Definition definition() {
            return new AgentService.Definition(name, instructions, tools, model, maxSteps, timeLimitSeconds);
        }
    }

    private final AgentService agents;
    private final ToolRegistry tools;
    private final JsonWebToken caller;

    AgentResource(AgentService agents, ToolRegistry tools, JsonWebToken caller) {
        this.agents = agents;
        this.tools = tools;
        this.caller = caller;
    }

    @GET
    @Path("/tools")
    @Operation(summary = "The tools an agent may be allowed, with their argument schemas and what the caller needs")
    public List<ToolRegistry.ToolInfo> tools() {
        return tools.all();
    }

    @POST
    @Operation(summary = "Create an agent")
    public Response create(@Valid @NotNull AgentRequest request) {
        AgentView agent = AgentView.of(agents.create(owner(), request.definition()));
        return Response.created(URI.create("/api/agents/" + agent.id())).entity(agent).build();
    }

    @GET
    @Operation(summary = "The caller's agents, newest first")
    public PageResponse<AgentView> list(@QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("20") @Min(1) @Max(PageResponse.MAX_SIZE) int size) {
        return PageResponse.of(agents.list(owner(), page, size), AgentView::of, page, size, agents.count(owner()));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One of the caller's agents")
    public AgentView get(@PathParam("id") UUID id) {
        return AgentView.of(agents.owned(owner(), id));
    }

    @PUT
    @Path("/{id}")
    @Operation(summary = "Replace an agent's definition")
    public AgentView update(@PathParam("id") UUID id, @Valid @NotNull AgentRequest request) {
        return AgentView.of(agents.update(owner(), id, request.definition()));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete an agent with its runs")
    public Response delete(@PathParam("id") UUID id) {
        agents.delete(owner(), id);
        return Response.noContent().build();
    }

    private UUID owner() {
        return UUID.fromString(caller.getSubject());
    }
}
