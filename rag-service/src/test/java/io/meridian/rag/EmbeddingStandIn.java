package io.meridian.rag;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * An OpenAI-compatible embeddings endpoint on loopback with 8-dimensional vectors: a text's vector counts its
 * words by a hash of each word, so that equal texts get equal vectors and texts sharing words get close ones.
 */
public class EmbeddingStandIn implements QuarkusTestResourceLifecycleManager {

    static final int DIMENSIONS = 8;
    static final AtomicInteger CALLS = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/embeddings", this::embed);
        server.start();
        return Map.of("meridian.rag.embedding.provider", "openai",
                "meridian.rag.embedding.base-url", "http://127.0.0.1:" + server.getAddress().getPort() + "/v1",
                "meridian.rag.embedding.api-key", "test-key",
                "meridian.rag.embedding.model", "stand-in-embeddings",
                "meridian.rag.embedding.dimensions", String.valueOf(DIMENSIONS),
                // a model of another size must not meet the 384-dimension queries of the other tests' cache entries
                "meridian.rag.cache.enabled", "false");
    }

    private void embed(HttpExchange exchange) throws IOException {
        CALLS.incrementAndGet();
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        List<String> inputs = new ArrayList<>();
        if (request.get("input").isArray()) {
            request.get("input").forEach(i -> inputs.add(i.asText()));
        } else {
            inputs.add(request.get("input").asText());
        }
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < inputs.size(); i++) {
            double[] v = new double[DIMENSIONS];
            for (String word : inputs.get(i).toLowerCase(Locale.ROOT).split("\\W+")) {
                if (!word.isEmpty()) {
                    v[Math.floorMod(word.hashCode(), DIMENSIONS)] += 1;
                }
            }
            v[0] += 0.01; // never all zero
            data.append(i == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(i)
                    .append(",\"embedding\":").append(JSON.writeValueAsString(v)).append('}');
        }
        byte[] body = ("{\"object\":\"list\",\"data\":[" + data + "],\"model\":\"stand-in-embeddings\","
                + "\"usage\":{\"prompt_tokens\":5,\"total_tokens\":5}}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
