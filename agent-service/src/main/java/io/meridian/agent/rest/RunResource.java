package io.meridian.agent.rest;

import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.domain.Agent;
import io.meridian.agent.domain.Run;
import io.meridian.agent.rest.Views.RunView;
import io.meridian.agent.service.ModelRegistry;
import io.meridian.agent.service.RunExecutor;
import io.meridian.agent.service.RunService;
import io.meridian.agent.service.AgentService;
import io.meridian.agent.tool.Caller;
import io.meridian.platform.models.ModelWork;
import io.meridian.platform.problem.ProblemException;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/** Runs of an agent: inline (the answer in the response) or queued on Kafka; their progress; cancellation. */
@Path("/api/agents")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RunResource {

    public record RunRequest(@NotBlank String input, UUID conversationId, Boolean async, @JsonProperty("notify") Boolean notifyOwner) {
    }

    private final AgentService agents;
    private final RunService runs;
    private final RunExecutor executor;
    private final ModelRegistry models;
    private final AgentConfig config;
    private final ObjectMapper mapper;
    private final JsonWebToken caller;
    private final ModelWork modelWork;

    RunResource(AgentService agents, RunService runs, RunExecutor executor, ModelRegistry models, AgentConfig config,
            ObjectMapper mapper, JsonWebToken caller, ModelWork modelWork) {
        this.modelWork = modelWork;
        this.agents = agents;
        this.runs = runs;
        this.executor = executor;
        this.models = models;
        this.config = config;
        this.mapper = mapper;
        this.caller = caller;
    }

    @POST
    @Path("/{id}/runs")
    @Blocking
    @Operation(summary = "Run the agent: inline (200 with the finished run, or 202 with it still running once the "
            + "inline wait has passed) or queued (202, async: true)")
    public Uni<Response> start(@PathParam("id") UUID agentId, @Valid @NotNull RunRequest request) {
        if (request.input().length() > config.limits().inputChars()) {
            throw ProblemException.invalidField("input", "size must be at most " + config.limits().inputChars());
        }
        Agent agent = agents.owned(owner(), agentId);
        models.choose(agent.model); // 503 now, rather than a run that cannot start
        boolean async = Boolean.TRUE.equals(request.async());
        if (async) {
            modelWork.checkBudget(owner()); // 429 now, rather than a run that fails on its first step
            Run run = create(agent, request, true);
            return Uni.createFrom().item(Response.accepted(view(run.id)).location(location(run.id)).build());
        }
        // an inline run takes a place of this replica's and of the user's (503 or 429 past them) until it ends
        ModelWork.Permit permit = modelWork.admit(owner(), "run",
                Duration.ofSeconds(agent.timeLimitSeconds).plus(Duration.ofMinutes(1)));
        Run run;
        try {
            run = create(agent, request, false);
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
        // the response waits for the run at most the inline wait (below the gateway's timeout); past it the run goes
        // on, and the answer is 202 with where to follow it
        return Uni.createFrom().completionStage(executor.executeInline(run.id, permit))
                .ifNoItem().after(config.runs().inlineWait()).recoverWithItem((Void) null)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(ignored -> {
                    RunView view = view(run.id);
                    return (view.status().ended() ? Response.ok(view) : Response.accepted(view))
                            .location(location(run.id)).build();
                });
    }

    private Run create(Agent agent, RunRequest request, boolean async) {
        return runs.create(agent, callerOf(), request.input(), request.conversationId(), async,
                Boolean.TRUE.equals(request.notifyOwner()), executor.worker());
    }

    private static URI location(UUID runId) {
        return URI.create("/api/agents/runs/" + runId);
    }

    @GET
    @Path("/runs/{runId}")
    @Operation(summary = "A run with every step so far")
    public RunView get(@PathParam("runId") UUID runId) {
        runs.owned(owner(), runId);
        return view(runId);
    }

    @POST
    @Path("/runs/{runId}/cancel")
    @Consumes(MediaType.WILDCARD) // no body: a client need not say what it does not send
    @Operation(summary = "Cancel a run: a queued one at once, a running one before its next step")
    public Response cancel(@PathParam("runId") UUID runId) {
        runs.cancel(owner(), runId);
        return Response.accepted(view(runId)).build();
    }

    private RunView view(UUID runId) {
        Run run = runs.find(runId).orElseThrow(() -> ProblemException.notFound("No run " + runId + "."));
        return RunView.of(run, runs.steps(runId), mapper);
    }

    private Caller callerOf() {
        Set<String> scopes = caller.containsClaim("scope") && caller.getClaim("scope") != null
                ? Set.of(caller.<Object>getClaim("scope").toString().replace("\"", "").split("\\s+"))
                : Set.of();
        return new Caller(owner(), caller.getClaim("email"), caller.getGroups(),
                scopes.stream().filter(s -> !s.isBlank()).collect(java.util.stream.Collectors.toSet()), caller.getRawToken());
    }

    private UUID owner() {
        return UUID.fromString(caller.getSubject());
    }
}
