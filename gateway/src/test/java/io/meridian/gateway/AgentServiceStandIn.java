package io.meridian.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * agent-service's API on loopback, answering in its shapes with the caller's id (read from the token) in the names,
 * so a test sees that the gateway resolved GraphQL through it with the caller's own token.
 */
public class AgentServiceStandIn implements QuarkusTestResourceLifecycleManager {

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        server.createContext("/", this::answer);
        server.start();
        return Map.of("meridian.gateway.routes.agent.url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void answer(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null) {
            respond(exchange, 401, "{\"status\":401}");
            return;
        }
        String payload = new String(Base64.getUrlDecoder().decode(authorization.substring(7).split("\\.")[1]),
                StandardCharsets.UTF_8);
        String sub = payload.replaceAll(".*\"sub\":\"([^\"]+)\".*", "$1");
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        String agent = """
                {"id":"a1","name":"Agent of %s","instructions":"Help.","tools":["calculator"],"model":"fast","maxSteps":4,
                 "timeLimitSeconds":30,"createdAt":"2026-11-25T10:00:00Z","updatedAt":"2026-11-25T10:00:00Z"}""".formatted(sub);
        String run = """
                {"id":"r1","agentId":"a1","conversationId":"c1","status":"%s","input":"6 * 7","output":"42","error":null,
                 "model":"primary","notify":false,"attempts":1,"steps":[
                 {"index":0,"attempt":1,"kind":"model","tool":null,"outcome":"ok","arguments":null,"result":"Calls calculator",
                  "durationMs":3,"inputTokens":100,"outputTokens":10,"createdAt":"2026-11-25T10:00:01Z"},
                 {"index":1,"attempt":1,"kind":"tool","tool":"calculator","outcome":"ok","arguments":{"expression":"6 * 7"},
                  "result":"42","durationMs":1,"inputTokens":null,"outputTokens":null,"createdAt":"2026-11-25T10:00:01Z"}],
                 "usage":{"inputTokens":100,"outputTokens":10},"createdAt":"2026-11-25T10:00:00Z",
                 "finishedAt":"2026-11-25T10:00:02Z"}""";
        if (path.equals("/api/agents") && method.equals("GET")) {
            respond(exchange, 200, "{\"items\":[" + agent + "],\"page\":0,\"size\":20,\"total\":1}");
        } else if (path.equals("/api/agents/a1") && method.equals("GET")) {
            respond(exchange, 200, agent);
        } else if (path.equals("/api/agents/runs/r1") && method.equals("GET")) {
            respond(exchange, 200, run.formatted("SUCCEEDED"));
        } else if (path.equals("/api/agents/a1/runs") && method.equals("POST")) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            respond(exchange, body.contains("\"async\":true") ? 202 : 200, run.formatted(body.contains("\"async\":true")
                    ? "QUEUED" : "SUCCEEDED"));
        } else if (path.equals("/api/agents/runs/r1/cancel") && method.equals("POST")) {
            respond(exchange, 202, run.formatted("CANCELLED"));
        } else if (path.equals("/api/agents/tools")) {
            respond(exchange, 200, """
                    [{"name":"calculator","description":"Evaluates","parameters":{"type":"object"},"requires":"none"}]""");
        } else if (path.equals("/api/models")) {
            respond(exchange, 200, """
                    [{"id":"primary","name":"gpt","provider":"openai","kind":"chat","status":"UP","isDefault":true}]""");
        } else if (path.equals("/api/agents/missing")) {
            respond(exchange, 404, "{\"status\":404,\"detail\":\"No agent missing.\"}");
        } else {
            respond(exchange, 404, "{\"status\":404}");
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
