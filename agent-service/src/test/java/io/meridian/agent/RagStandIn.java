package io.meridian.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * rag-service's search contract on loopback ({@code GET /api/rag/collections}, {@code POST /api/rag/search}): like
 * rag-service it answers 401 without a bearer token and only ever shows the token subject's own documents (one
 * collection per user here). It records the Authorization headers it was sent.
 */
final class RagStandIn {

    record Doc(UUID collectionId, UUID documentId, String title, String text) {
    }

    final Map<String, List<Doc>> documentsByUser = new ConcurrentHashMap<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    RagStandIn(HttpServer server) {
        server.createContext("/api/rag/collections", this::collections);
        server.createContext("/api/rag/search", this::search);
    }

    /** Adds a document to the user's collection; answers the collection id. */
    UUID add(UUID userId, String title, String text) {
        List<Doc> docs = documentsByUser.computeIfAbsent(userId.toString(), u -> new CopyOnWriteArrayList<>());
        UUID collection = docs.isEmpty() ? UUID.randomUUID() : docs.get(0).collectionId();
        docs.add(new Doc(collection, UUID.randomUUID(), title, text));
        return collection;
    }

    private void collections(HttpExchange exchange) throws IOException {
        String user = subject(exchange);
        if (user == null) {
            send(exchange, 401, "{\"status\":401}");
            return;
        }
        ObjectNode page = ModelStandIn.JSON.createObjectNode();
        ArrayNode items = page.putArray("items");
        documentsByUser.getOrDefault(user, List.of()).stream().map(Doc::collectionId).distinct()
                .forEach(id -> items.addObject().put("id", id.toString()).put("name", "Collection"));
        page.put("total", items.size());
        send(exchange, 200, page.toString());
    }

    private void search(HttpExchange exchange) throws IOException {
        String user = subject(exchange);
        if (user == null) {
            send(exchange, 401, "{\"status\":401}");
            return;
        }
        JsonNode request = ModelStandIn.JSON.readTree(exchange.getRequestBody().readAllBytes());
        List<String> collections = ModelStandIn.JSON.convertValue(request.path("collectionIds"),
                ModelStandIn.JSON.getTypeFactory().constructCollectionType(List.class, String.class));
        String[] words = request.path("query").asText().toLowerCase(Locale.ROOT).split("\\W+");
        ObjectNode answer = ModelStandIn.JSON.createObjectNode().put("mode", request.path("mode").asText());
        ArrayNode results = answer.putArray("results");
        long chunk = 1;
        for (Doc doc : documentsByUser.getOrDefault(user, List.of())) {
            String text = doc.text().toLowerCase(Locale.ROOT);
            boolean matches = java.util.Arrays.stream(words).anyMatch(w -> !w.isBlank() && text.contains(w));
            if (collections.contains(doc.collectionId().toString()) && matches) {
                results.addObject().put("documentId", doc.documentId().toString()).put("title", doc.title())
                        .put("chunkId", chunk++).put("text", doc.text()).put("score", 1.0);
            }
        }
        send(exchange, 200, answer.toString());
    }

    /** The subject of the bearer token (its signature is rag-service's to check; here only whose it is matters). */
    private String subject(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ") || authorization.split("\\.").length != 3) {
            return null;
        }
        authorizations.add(authorization);
        String payload = authorization.substring(7).split("\\.")[1];
        JsonNode claims = ModelStandIn.JSON.readTree(Base64.getUrlDecoder().decode(payload));
        return claims.path("sub").asText(null);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
