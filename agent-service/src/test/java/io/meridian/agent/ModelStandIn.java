package io.meridian.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An OpenAI-compatible chat endpoint on loopback whose replies are scripted by the run's input (the last user
 * message), so each test says what the "model" does:
 * <ul>
 * <li>{@code call <tool> <json arguments>}: asks for that tool once, then answers {@code Tool said: <result>};</li>
 * <li>{@code loop}: asks for current_time again and again, never answering;</li>
 * <li>{@code slow loop}: the same, 300 ms per reply;</li>
 * <li>{@code hang}: answers after 30 s;</li>
 * <li>{@code history}: answers with the earlier user messages it was given, joined by {@code |};</li>
 * <li>{@code spend <n>}: answers {@code Spent}, with {@code n} prompt tokens in its usage;</li>
 * <li>anything else: {@code Echo: <input>}.</li>
 * </ul>
 * Each instance is mounted at its own path ({@code /<name>/v1}) and can be taken down (503 to everything).
 */
final class ModelStandIn {

    static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicLong delayMillis = new AtomicLong();
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    ModelStandIn(HttpServer server, String name) {
        this.name = name;
        server.createContext("/" + name + "/v1/chat/completions", this::complete);
        server.createContext("/" + name + "/v1/models", this::models);
    }

    /** The chat requests whose last user message contains {@code marker}. */
    List<JsonNode> requestsFor(String marker) {
        return requests.stream().filter(r -> lastUserMessage(r).contains(marker)).toList();
    }

    private void models(HttpExchange exchange) throws IOException {
        if (down.get()) {
            send(exchange, 503, "{\"error\":\"down\"}");
            return;
        }
        send(exchange, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"stand-in-" + name + "\",\"object\":\"model\"}]}");
    }

    private void complete(HttpExchange exchange) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
        if (down.get()) {
            send(exchange, 503, "{\"error\":{\"message\":\"down\"}}");
            return;
        }
        requests.add(request);
        String input = lastUserMessage(request);
        JsonNode lastMessage = request.path("messages").get(request.path("messages").size() - 1);
        boolean afterTool = "tool".equals(lastMessage.path("role").asText());
        try {
            if (input.startsWith("hang")) {
                Thread.sleep(30_000);
            } else if (input.startsWith("slow")) {
                Thread.sleep(300);
            } else if (delayMillis.get() > 0) {
                Thread.sleep(delayMillis.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String reply;
        if (input.startsWith("spend ")) {
            reply = completion(JSON.createObjectNode().put("role", "assistant").put("content", "Spent"), "stop",
                    Integer.parseInt(input.substring(6).trim()));
        } else if (input.startsWith("loop") || input.startsWith("slow loop")) {
            reply = toolCall("current_time", "{}");
        } else if (input.startsWith("call ") && !afterTool) {
            String[] parts = input.split(" ", 3);
            reply = toolCall(parts[1], parts.length > 2 ? parts[2] : "{}");
        } else if (afterTool) {
            reply = text("Tool said: " + lastMessage.path("content").asText());
        } else if (input.startsWith("history")) {
            List<String> earlier = new ArrayList<>();
            for (JsonNode message : request.path("messages")) {
                if ("user".equals(message.path("role").asText())) {
                    earlier.add(content(message));
                }
            }
            earlier.remove(earlier.size() - 1);
            reply = text("Earlier: " + String.join("|", earlier));
        } else {
            reply = text("Echo: " + input);
        }
        send(exchange, 200, reply);
    }

    private String toolCall(String tool, String arguments) {
        ObjectNode call = JSON.createObjectNode();
        call.put("id", "call_" + System.nanoTime());
        call.put("type", "function");
        call.putObject("function").put("name", tool).put("arguments", arguments);
        ObjectNode message = JSON.createObjectNode().put("role", "assistant");
        message.putNull("content");
        message.putArray("tool_calls").add(call);
        return completion(message, "tool_calls");
    }

    private String text(String content) {
        return completion(JSON.createObjectNode().put("role", "assistant").put("content", content), "stop");
    }

    private String completion(ObjectNode message, String finishReason) {
        return completion(message, finishReason, 100);
    }

    private String completion(ObjectNode message, String finishReason, int promptTokens) {
        ObjectNode answer = JSON.createObjectNode().put("id", "c1").put("object", "chat.completion").put("created", 1)
                .put("model", "stand-in-" + name);
        ArrayNode choices = answer.putArray("choices");
        choices.addObject().put("index", 0).put("finish_reason", finishReason).set("message", message);
        answer.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", 10)
                .put("total_tokens", promptTokens + 10);
        return answer.toString();
    }

    static String lastUserMessage(JsonNode request) {
        String last = "";
        for (JsonNode message : request.path("messages")) {
            if ("user".equals(message.path("role").asText())) {
                last = content(message);
            }
        }
        return last;
    }

    private static String content(JsonNode message) {
        JsonNode content = message.path("content");
        if (content.isArray()) { // [{type: text, text: ...}]
            StringBuilder text = new StringBuilder();
            content.forEach(part -> text.append(part.path("text").asText()));
            return text.toString();
        }
        return content.asText();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static Map<String, String> config(String id, String baseUrl) {
        return Map.of("meridian.agent.models." + id + ".provider", "openai",
                "meridian.agent.models." + id + ".base-url", baseUrl,
                "meridian.agent.models." + id + ".api-key", "test-key",
                "meridian.agent.models." + id + ".name", "stand-in-" + id);
    }
}
