package io.meridian.agent.tool;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;

import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import io.meridian.agent.client.RagApi;
import io.meridian.agent.config.AgentConfig;

/**
 * {@code knowledge_search}: hybrid search in the caller's collections through rag-service, with the caller's own token,
 * so it can only find what that user may read.
 */
@ApplicationScoped
public class KnowledgeSearchTool implements AgentTool {

    private static final int MAX_COLLECTIONS = 50;

    private final RagApi rag;
    private final AgentConfig.Tools config;

    KnowledgeSearchTool(@RestClient RagApi rag, AgentConfig config) {
        this.rag = rag;
        this.config = config.tools();
    }

    @Override
    public String name() {
        return "knowledge_search";
    }

    @Override
    public String description() {
        return "Searches the calling user's own document collections (keyword and semantic, fused) and returns the best "
                + "passages with their titles and document ids. Reads only that user's documents; changes nothing.";
    }

    @Override
    public JsonObjectSchema parameters() {
        return JsonObjectSchema.builder()
                .addStringProperty("query", "What to look for, in words")
                .addProperty("collectionIds", JsonArraySchema.builder()
                        .description("Ids of collections to search; all of the user's collections when absent")
                        .items(JsonStringSchema.builder().build()).build())
                .addProperty("topK", JsonIntegerSchema.builder().description("Passages to return, 1 to 10").build())
                .required("query").additionalProperties(false).build();
    }

    @Override
    public String requires() {
        return "role:user|scope:rag:read";
    }

    @Override
    public String execute(JsonNode arguments, ToolContext context) {
        String query = ToolArguments.requiredText(arguments, "query");
        Integer topK = ToolArguments.optionalInt(arguments, "topK", 1, 10);
        String authorization = "Bearer " + context.caller().token();
        try {
            List<UUID> collections = collectionIds(arguments);
            if (collections.isEmpty()) {
                collections = rag.collections(authorization, 0, MAX_COLLECTIONS).items().stream()
                        .map(RagApi.Collection::id).toList();
            }
            if (collections.isEmpty()) {
                return "The user has no collections: nothing to search.";
            }
            RagApi.SearchResponse found = rag.search(authorization, new RagApi.SearchRequest(query, collections,
                    topK == null ? config.searchTopK() : topK, "hybrid"));
            if (found.results() == null || found.results().isEmpty()) {
                return "No passage matches \"" + query + "\".";
            }
            StringBuilder result = new StringBuilder();
            int n = 1;
            for (RagApi.Hit hit : found.results()) {
                result.append('[').append(n++).append("] ").append(hit.title()).append(" (document ")
                        .append(hit.documentId()).append(")\n").append(hit.text()).append("\n\n");
            }
            return result.toString().strip();
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            throw new ToolException(switch (status) {
                case 401 -> "rag-service refused the user's credentials (the session may have ended)";
                case 403 -> "the user may not search these collections";
                case 404 -> "a collection was not found among the user's collections";
                case 400 -> "rag-service refused the search request as invalid";
                default -> "rag-service answered " + status;
            });
        } catch (ProcessingException e) {
            throw new ToolException("rag-service is unreachable");
        }
    }

    private static List<UUID> collectionIds(JsonNode arguments) {
        JsonNode ids = arguments == null ? null : arguments.get("collectionIds");
        List<UUID> collections = new ArrayList<>();
        if (ids == null || ids.isNull()) {
            return collections;
        }
        if (!ids.isArray() || ids.size() > MAX_COLLECTIONS) {
            throw new ToolException("collectionIds must be a list of at most " + MAX_COLLECTIONS + " ids");
        }
        for (JsonNode id : ids) {
            try {
                collections.add(UUID.fromString(id.asText()));
            } catch (IllegalArgumentException e) {
                throw new ToolException("collectionIds: " + id.asText() + " is not a collection id");
            }
        }
        return collections;
    }
}
