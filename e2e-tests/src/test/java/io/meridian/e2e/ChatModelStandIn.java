package io.meridian.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An OpenAI-compatible chat model on loopback for rag-service's answers and agent-service's runs. Offered tools, it
 * follows the input: {@code calc: <expression>} calls calculator, {@code search: <words>} calls knowledge_search,
 * then it answers with the tool's result. Without tools (an answer from sources) it cites source [1]; streamed when
 * asked to, in pieces. An input containing {@code [slow]} is answered after three seconds.
 */
final class ChatModelStandIn implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    final AtomicInteger calls = new AtomicInteger();
    private final HttpServer server;

    ChatModelStandIn() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/v1/models", exchange -> send(exchange, "{\"object\":\"list\",\"data\":[]}"));
        server.createContext("/v1/chat/completions", this::complete);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private void complete(HttpExchange exchange) throws IOException {
        calls.incrementAndGet();
        JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
        JsonNode messages = request.path("messages");
        JsonNode last = messages.get(messages.size() - 1);
        String input = "";
        for (JsonNode message : messages) {
            if ("user".equals(message.path("role").asText())) {
                input = message.path("content").asText();
            }
        }
        if (input.contains("[slow]")) { // a model taking its time (HostileEdgeTest)
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ObjectNode message = JSON.createObjectNode().put("role", "assistant");
        boolean tools = request.path("tools").isArray() && !request.path("tools").isEmpty();
        if (tools && "tool".equals(last.path("role").asText())) {
            message.put("content", "Result: " + last.path("content").asText());
        } else if (tools && (input.startsWith("calc: ") || input.startsWith("search: "))) {
            boolean calc = input.startsWith("calc: ");
            ObjectNode call = JSON.createObjectNode().put("id", "call-" + calls.get()).put("type", "function");
            call.putObject("function").put("name", calc ? "calculator" : "knowledge_search")
                    .put("arguments", JSON.createObjectNode().put(calc ? "expression" : "query", input.substring(calc ? 6 : 8)).toString());
            message.putNull("content");
            message.putArray("tool_calls").add(call);
        } else {
            message.put("content", "From the sources: the answer is in [1].");
        }
        if (request.path("stream").asBoolean(false)) {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (String piece : new String[] { "From the sources: ", "the answer ", "is in [1]." }) {
                    out.write(("data: {\"id\":\"s\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"e2e\","
                            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + piece + "\"},\"finish_reason\":null}]}\n\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                out.write(("data: {\"id\":\"s\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"e2e\","
                        + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        ObjectNode answer = JSON.createObjectNode().put("id", "c").put("object", "chat.completion").put("created", 1)
                .put("model", "e2e");
        answer.putArray("choices").addObject().put("index", 0)
                .put("finish_reason", message.has("tool_calls") ? "tool_calls" : "stop").set("message", message);
        answer.putObject("usage").put("prompt_tokens", 40).put("completion_tokens", 8).put("total_tokens", 48);
        send(exchange, answer.toString());
    }

    private static void send(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
