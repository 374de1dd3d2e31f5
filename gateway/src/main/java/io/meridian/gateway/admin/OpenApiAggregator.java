package io.meridian.gateway.admin;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.meridian.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;

/**
 * One OpenAPI document for the platform, merged from every service's {@code /q/openapi}: the paths clients reach
 * through the gateway (those under the service's route prefixes; the services serve them there already), each operation
 * tagged with its service, schemas merged (a schema one service defines differently from another is renamed
 * {@code <service>_<name>} in that service's part). Services that do not answer are listed in
 * {@code x-meridian-missing}. The result is kept for 30 seconds.
 */
@ApplicationScoped
public class OpenApiAggregator {

    private static final Duration KEEP = Duration.ofSeconds(30);

    private final ServiceCalls services;
    private final GatewayConfig config;
    private final ObjectMapper mapper;
    private volatile ObjectNode cached;
    private volatile long cachedAt;

    OpenApiAggregator(ServiceCalls services, GatewayConfig config, ObjectMapper mapper) {
        this.services = services;
        this.config = config;
        this.mapper = mapper;
    }

    public Uni<ObjectNode> merged() {
        ObjectNode current = cached;
        if (current != null && System.nanoTime() - cachedAt < KEEP.toNanos()) {
            return Uni.createFrom().item(current);
        }
        return services.getAll("/q/openapi?format=json", null).map(answers -> {
            ObjectNode document = merge(answers);
            if (!document.withArray("x-meridian-missing").isEmpty()) {
                return document; // do not keep an incomplete document
            }
            cached = document;
            cachedAt = System.nanoTime();
            return document;
        });
    }

    ObjectNode merge(Map<String, ServiceCalls.Answer> answers) {
        ObjectNode merged = mapper.createObjectNode();
        merged.put("openapi", "3.1.0");
        merged.putObject("info").put("title", "Meridian API").put("version", "1.0")
                .put("description", "Every service's API as clients reach it through the gateway.");
        merged.putArray("servers").addObject().put("url", "/");
        ObjectNode paths = merged.putObject("paths");
        ObjectNode schemas = merged.putObject("components").putObject("schemas");
        ObjectNode securitySchemes = ((ObjectNode) merged.get("components")).putObject("securitySchemes");
        ArrayNode tags = merged.putArray("tags");
        ArrayNode missing = merged.putArray("x-meridian-missing");
        answers.forEach((service, answer) -> {
            JsonNode document = answer.ok() ? parse(answer) : null;
            if (document == null || !document.has("paths")) {
                missing.add(service);
                return;
            }
            tags.addObject().put("name", service).put("description", "The " + service + " service");
            Map<String, String> renamed = new HashMap<>();
            document.path("components").path("schemas").fields().forEachRemaining(schema -> {
                JsonNode existing = schemas.get(schema.getKey());
                if (existing != null && !existing.equals(schema.getValue())) {
                    renamed.put(schema.getKey(), service + "_" + schema.getKey());
                }
            });
            JsonNode part = renamed.isEmpty() ? document : rewriteRefs(document.deepCopy(), renamed);
            part.path("components").path("schemas").fields().forEachRemaining(schema ->
                    schemas.set(renamed.getOrDefault(schema.getKey(), schema.getKey()), schema.getValue()));
            part.path("components").path("securitySchemes").fields().forEachRemaining(scheme ->
                    securitySchemes.set(scheme.getKey(), scheme.getValue()));
            List<String> prefixes = config.routes().get(service).prefixes();
            part.path("paths").fields().forEachRemaining(path -> {
                if (prefixes.stream().noneMatch(prefix -> path.getKey().equals(prefix) || path.getKey().startsWith(prefix + "/"))) {
                    return; // served by the service but not routed through the gateway (/admin/config, ...)
                }
                ObjectNode operations = path.getValue().deepCopy();
                operations.fields().forEachRemaining(operation -> {
                    if (operation.getValue() instanceof ObjectNode op) {
                        op.putArray("tags").add(service);
                    }
                });
                paths.set(path.getKey(), operations);
            });
        });
        return merged;
    }

    private JsonNode parse(ServiceCalls.Answer answer) {
        try {
            return mapper.readTree(answer.body().getBytes());
        } catch (IOException e) {
            return null;
        }
    }

    /** Points every {@code $ref} to a renamed schema at its new name. */
    private static JsonNode rewriteRefs(JsonNode node, Map<String, String> renamed) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = object.get(name);
                if ("$ref".equals(name) && value.isTextual()) {
                    String ref = value.asText();
                    String prefix = "#/components/schemas/";
                    if (ref.startsWith(prefix) && renamed.containsKey(ref.substring(prefix.length()))) {
                        object.set(name, TextNode.valueOf(prefix + renamed.get(ref.substring(prefix.length()))));
                    }
                } else {
                    rewriteRefs(value, renamed);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (Iterator<JsonNode> it = array.elements(); it.hasNext();) {
                rewriteRefs(it.next(), renamed);
            }
        }
        return node;
    }
}
