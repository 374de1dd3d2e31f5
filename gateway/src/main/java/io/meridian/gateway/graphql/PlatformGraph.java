package io.meridian.gateway.graphql;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.annotation.security.RolesAllowed;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.GraphQLException;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.gateway.admin.ServiceCalls;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * {@code POST /graphql}: a GraphQL facade over the same REST operations, resolved by calling the services with the
 * caller's own token (so each service applies its own rules): {@code me} (auth-service); {@code collections},
 * {@code documents}, {@code search} and {@code ask} (rag-service); {@code agents}, {@code agent}, {@code run},
 * {@code tools}, {@code models} and the mutations {@code startRun} and {@code cancelRun} (agent-service).
 */
@GraphQLApi
public class PlatformGraph {

    @Description("A Meridian account, as GET /api/auth/me answers it")
    public record User(String id, String email, String displayName, List<String> roles, boolean emailVerified,
            Instant createdAt) {
    }

    @Description("A collection of documents, as GET /api/rag/collections answers it")
    public record Collection(String id, String name, String description, long documentCount, Instant createdAt) {
    }

    @Description("A document and where its ingestion stands")
    public record Document(String id, String collectionId, String title, String externalId, String contentType,
            long sizeBytes, String status, int chunkCount, String error, Instant createdAt, Instant indexedAt) {
    }

    @Description("A passage found by search")
    public record SearchHit(String documentId, String externalId, String title, long chunkId, String text, double score) {
    }

    @Description("A source an answer cites")
    public record Citation(String documentId, String externalId, String title, long chunkId, String snippet) {
    }

    @Description("An answer from the caller's collections: generative (a chat model) or extractive")
    public record Answer(String answer, String mode, String model, List<Citation> citations) {
    }

    @Description("An agent: its instructions, allowed tools, model (an id or a routing class) and limits")
    public record Agent(String id, String name, String instructions, List<String> tools, String model, int maxSteps,
            int timeLimitSeconds, Instant createdAt, Instant updatedAt) {
    }

    @Description("A step of a run: a model call or a tool call (arguments as JSON text)")
    public record Step(int index, int attempt, String kind, String tool, String outcome, String arguments, String result,
            long durationMs, Integer inputTokens, Integer outputTokens) {
    }

    @Description("Tokens a run used")
    public record Usage(int inputTokens, int outputTokens) {
    }

    @Description("A run of an agent with its steps so far")
    public record Run(String id, String agentId, String conversationId, String status, String input, String output,
            String error, String model, int attempts, List<Step> steps, Usage usage, Instant createdAt,
            Instant finishedAt) {
    }

    @Description("A tool an agent may be allowed; parameters is its JSON Schema as text")
    public record Tool(String name, String description, String parameters, String requires) {
    }

    @Description("A configured model and its live status: UP, DOWN or UNCONFIGURED")
    public record Model(String id, String name, String provider, String kind, String status,
            @Name("isDefault") boolean isDefault) {
    }

    private final ServiceCalls services;
    private final CurrentVertxRequest request;
    private final ObjectMapper mapper;

    PlatformGraph(ServiceCalls services, CurrentVertxRequest request, ObjectMapper mapper) {
        this.services = services;
        this.request = request;
        this.mapper = mapper;
    }

    @Query("me")
    @Description("The signed-in user")
    @RolesAllowed({ "user", "admin" })
    public Uni<User> me() {
        String authorization = request.getCurrent().request().getHeader(HttpHeaders.AUTHORIZATION);
        return services.get("auth", "/api/auth/me", authorization).onItem().transformToUni(answer -> {
            if (!answer.ok()) {
                return Uni.createFrom().failure(new GraphQLException("auth-service answered "
                        + (answer.error() != null ? answer.error() : String.valueOf(answer.status()))));
            }
            try {
                return Uni.createFrom().item(mapper.readValue(answer.body().getBytes(), User.class));
            } catch (IOException e) {
                return Uni.createFrom().failure(new GraphQLException("auth-service's answer could not be read: "
                        + e.getMessage()));
            }
        });
    }

    @Query("collections")
    @Description("The caller's collections, newest first")
    @RolesAllowed({ "user", "admin" })
    public Uni<List<Collection>> collections(@DefaultValue("0") int page, @DefaultValue("20") int size) {
        return read(services.get("rag", "/api/rag/collections?page=" + page + "&size=" + size, authorization()),
                "rag-service", body -> mapper.convertValue(body.get("items"), new TypeReference<List<Collection>>() {
                }));
    }

    @Query("documents")
    @Description("A collection's documents, newest first")
    @RolesAllowed({ "user", "admin" })
    public Uni<List<Document>> documents(@NonNull String collectionId, @DefaultValue("0") int page,
            @DefaultValue("20") int size) {
        return read(services.get("rag", "/api/rag/collections/" + encode(collectionId) + "/documents?page=" + page
                + "&size=" + size, authorization()), "rag-service",
                body -> mapper.convertValue(body.get("items"), new TypeReference<List<Document>>() {
                }));
    }

    @Query("search")
    @Description("Passages of the caller's collections: mode keyword, vector or hybrid (the default)")
    @RolesAllowed({ "user", "admin" })
    public Uni<List<SearchHit>> search(@NonNull String query, @NonNull List<String> collectionIds, String mode,
            Integer topK) {
        Map<String, Object> body = new HashMap<>();
        body.put("query", query);
        body.put("collectionIds", collectionIds);
        body.put("mode", mode);
        body.put("topK", topK);
        return read(services.post("rag", "/api/rag/search", json(body), authorization()), "rag-service",
                answer -> mapper.convertValue(answer.get("results"), new TypeReference<List<SearchHit>>() {
                }));
    }

    @Query("ask")
    @Description("An answer to a question from the caller's collections, with its citations")
    @RolesAllowed({ "user", "admin" })
    public Uni<Answer> ask(@NonNull String question, @NonNull List<String> collectionIds, Integer topK) {
        Map<String, Object> body = new HashMap<>();
        body.put("question", question);
        body.put("collectionIds", collectionIds);
        body.put("topK", topK);
        return read(services.post("rag", "/api/rag/ask", json(body), authorization()), "rag-service",
                answer -> mapper.convertValue(answer, Answer.class));
    }

    @Query("agents")
    @Description("The caller's agents, newest first")
    @RolesAllowed({ "user", "admin" })
    public Uni<List<Agent>> agents(@DefaultValue("0") int page, @DefaultValue("20") int size) {
        return read(services.get("agent", "/api/agents?page=" + page + "&size=" + size, authorization()), "agent-service",
                body -> mapper.convertValue(body.get("items"), new TypeReference<List<Agent>>() {
                }));
    }

    @Query("agent")
    @Description("One of the caller's agents")
    @RolesAllowed({ "user", "admin" })
    public Uni<Agent> agent(@NonNull String id) {
        return read(services.get("agent", "/api/agents/" + encode(id), authorization()), "agent-service",
                body -> mapper.convertValue(body, Agent.class));
    }

    @Query("run")
    @Description("One of the caller's runs with its steps so far")
    @RolesAllowed({ "user", "admin" })
    public Uni<Run> run(@NonNull String id) {
        return read(services.get("agent", "/api/agents/runs/" + encode(id), authorization()), "agent-service", this::run);
    }

    @Query("tools")
    @Description("The tools an agent may be allowed")
    @RolesAllowed({ "user", "admin" })
    public Uni<List<Tool>> tools() {
        return read(services.get("agent", "/api/agents/tools", authorization()), "agent-service", body -> {
            List<Tool> tools = new java.util.ArrayList<>();
            body.forEach(t -> tools.add(new Tool(t.path("name").asText(), t.path("description").asText(),
                    t.path("parameters").toString(), t.path("requires").asText())));
            return tools;
        });
    }

    @Query("models")
    @Description("The configured chat and embedding models with their live status")
    @RolesAllowed({ "user", "admin" })
    public Uni<List<Model>> models() {
        return read(services.get("agent", "/api/models", authorization()), "agent-service",
                body -> mapper.convertValue(body, new TypeReference<List<Model>>() {
                }));
    }

    @Mutation("startRun")
    @Description("Runs one of the caller's agents: inline (the finished run) or queued (async: QUEUED)")
    @RolesAllowed({ "user", "admin" })
    public Uni<Run> startRun(@NonNull String agentId, @NonNull String input, String conversationId,
            @DefaultValue("false") boolean async, @DefaultValue("false") boolean notify) {
        Map<String, Object> body = new HashMap<>();
        body.put("input", input);
        body.put("conversationId", conversationId);
        body.put("async", async);
        body.put("notify", notify);
        return read(services.post("agent", "/api/agents/" + encode(agentId) + "/runs", json(body), authorization()),
                "agent-service", this::run);
    }

    @Mutation("cancelRun")
    @Description("Cancels one of the caller's runs: a queued one at once, a running one before its next step")
    @RolesAllowed({ "user", "admin" })
    public Uni<Run> cancelRun(@NonNull String runId) {
        return read(services.post("agent", "/api/agents/runs/" + encode(runId) + "/cancel", Buffer.buffer(), authorization()),
                "agent-service", this::run);
    }

    private Run run(JsonNode body) {
        List<Step> steps = new java.util.ArrayList<>();
        body.path("steps").forEach(s -> steps.add(new Step(s.path("index").asInt(), s.path("attempt").asInt(),
                s.path("kind").asText(), text(s, "tool"), s.path("outcome").asText(),
                s.hasNonNull("arguments") ? s.get("arguments").toString() : null, text(s, "result"),
                s.path("durationMs").asLong(), s.hasNonNull("inputTokens") ? s.get("inputTokens").asInt() : null,
                s.hasNonNull("outputTokens") ? s.get("outputTokens").asInt() : null)));
        return new Run(text(body, "id"), text(body, "agentId"), text(body, "conversationId"), text(body, "status"),
                text(body, "input"), text(body, "output"), text(body, "error"), text(body, "model"),
                body.path("attempts").asInt(), steps, new Usage(body.path("usage").path("inputTokens").asInt(),
                        body.path("usage").path("outputTokens").asInt()),
                body.hasNonNull("createdAt") ? Instant.parse(body.get("createdAt").asText()) : null,
                body.hasNonNull("finishedAt") ? Instant.parse(body.get("finishedAt").asText()) : null);
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    /** The service's answer mapped, or a GraphQL error carrying the service's problem detail. */
    private <T> Uni<T> read(Uni<ServiceCalls.Answer> call, String service, Function<JsonNode, T> map) {
        return call.onItem().transformToUni(answer -> {
            JsonNode body;
            try {
                body = answer.body() == null || answer.body().length() == 0 ? null : mapper.readTree(answer.body().getBytes());
            } catch (IOException e) {
                return Uni.createFrom().failure(new GraphQLException(service + "'s answer could not be read"));
            }
            if (answer.status() / 100 != 2) {
                String why = answer.error() != null ? answer.error()
                        : body != null && body.hasNonNull("detail") ? body.get("detail").asText()
                        : "status " + answer.status();
                return Uni.createFrom().failure(new GraphQLException(service + " answered " + answer.status() + ": " + why));
            }
            return Uni.createFrom().item(map.apply(body));
        });
    }

    private Buffer json(Object body) {
        try {
            return Buffer.buffer(mapper.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private String authorization() {
        return request.getCurrent().request().getHeader(HttpHeaders.AUTHORIZATION);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
