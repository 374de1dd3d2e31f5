package io.meridian.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.meridian.testsupport.ClosingUpstream;
import io.meridian.testsupport.FreePorts;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Real HTTP servers on loopback standing where auth-service and rag-service would be, so that the gateway's
 * proxying can be observed from both sides: they echo what reached them and stream server-sent events. agent,
 * cache and email point at ports where nothing listens, as a stopped service would. A test-only route, flaky, has two
 * instances: a port where nothing listens, then a live echo server.
 */
public class UpstreamServices implements QuarkusTestResourceLifecycleManager {

    private HttpServer auth;
    private HttpServer rag;
    private HttpServer flaky;
    private ClosingUpstream closing;
    private volatile CountDownLatch streamRelease = new CountDownLatch(1);
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();

    @Override
    public Map<String, String> start() {
        auth = server();
        auth.createContext("/seen", this::seen);
        auth.createContext("/api/auth/me", this::me);
        auth.createContext("/q/openapi", exchange -> respond(exchange, 200, openApi("/api/auth/me", "email"),
                "application/json"));
        auth.createContext("/", this::echo);
        rag = server();
        rag.createContext("/seen", this::seen);
        rag.createContext("/q/openapi", exchange -> respond(exchange, 200, openApi("/api/rag/collections", "id"),
                "application/json"));
        rag.createContext("/api/rag/stream", this::stream);
        rag.createContext("/api/rag/collections", this::collections);
        rag.createContext("/api/rag/search", exchange -> respond(exchange, 200, """
                {"mode":"hybrid","results":[{"documentId":"d1","externalId":"e1","title":"Found","chunkId":7,
                 "text":"%s","score":0.5}]}""".formatted(jsonField(read(exchange), "query")), "application/json"));
        rag.createContext("/api/rag/ask", exchange -> askAnswer(exchange));
        rag.createContext("/api/rag/slow", this::slow);
        rag.createContext("/release", exchange -> {
            streamRelease.countDown();
            respond(exchange, 204, "", "text/plain");
        });
        rag.createContext("/", this::echo);
        flaky = server();
        flaky.createContext("/seen", this::seen);
        flaky.createContext("/q/openapi", exchange -> respond(exchange, 404, "", "text/plain"));
        flaky.createContext("/api/slowpoke", this::slow);
        flaky.createContext("/", this::echo);
        Map<String, String> config = new HashMap<>(Map.of(
                "meridian.gateway.routes.auth.url", "http://127.0.0.1:" + auth.getAddress().getPort(),
                "meridian.gateway.routes.rag.url", "http://127.0.0.1:" + rag.getAddress().getPort(),
                "meridian.gateway.routes.rag.timeout", "1s",
                // Buckets of this run only: the stricter classes refill over an hour, longer than between two runs.
                "meridian.gateway.rate-limit-key-prefix", "meridian:ratelimit:test-" + UUID.randomUUID() + ":",
                "meridian.gateway.rate-limits.default.capacity", "20",
                "meridian.gateway.rate-limits.default.refill-per-second", "10",
                "meridian.gateway.routes.agent.url", "http://127.0.0.1:" + FreePorts.next(),
                "meridian.gateway.routes.cache.url", "http://127.0.0.1:" + FreePorts.next(),
                "meridian.gateway.routes.email.url", "http://127.0.0.1:" + FreePorts.next()));
        config.put("meridian.gateway.routes.flaky.url", "http://127.0.0.1:" + FreePorts.next() + ",http://127.0.0.1:"
                + flaky.getAddress().getPort());
        config.put("meridian.gateway.routes.flaky.prefixes", "/api/flaky");
        try {
            closing = new ClosingUpstream(3);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("meridian.gateway.routes.closing.url", "http://127.0.0.1:" + closing.port());
        config.put("meridian.gateway.routes.closing.prefixes", "/api/closing");
        // A service that answers in 3 s behind a route of 4 connections and 4 waiting places (BoundedWaitTest).
        config.put("meridian.gateway.routes.slowpoke.url", "http://127.0.0.1:" + flaky.getAddress().getPort());
        config.put("meridian.gateway.routes.slowpoke.prefixes", "/api/slowpoke");
        config.put("meridian.gateway.routes.slowpoke.timeout", "1s");
        config.put("meridian.gateway.routes.slowpoke.max-connections", "4");
        config.put("meridian.gateway.routes.slowpoke.max-waiting", "4");
        config.put("meridian.gateway.graphql-max-connections", "4");
        // The management interface (probes, metrics) on a port the tests know.
        config.put("quarkus.management.test-port", String.valueOf(FreePorts.next()));
        // The stand-in ingress of ClientAddressTest connects from 127.0.0.2; every other test client is 127.0.0.1.
        config.put("meridian.gateway.trusted-proxies", "127.0.0.2/32, 10.0.0.0/8");
        config.put("meridian.gateway.routes.flaky.breaker-window", "50");
        return config;
    }

    private static HttpServer server() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A service's OpenAPI document with one path answering a schema named User, shaped differently by each. */
    private static String openApi(String path, String field) {
        return """
                {"openapi":"3.1.0","info":{"title":"stand-in","version":"1"},
                 "paths":{"%s":{"get":{"tags":["Stand-in"],"responses":{"200":{"description":"ok",
                   "content":{"application/json":{"schema":{"$ref":"#/components/schemas/User"}}}}}}},
                   "/admin/config":{"get":{"responses":{"200":{"description":"not routed"}}}}},
                 "components":{"schemas":{"User":{"type":"object","properties":{"%s":{"type":"string"}}}}}}
                """.formatted(path, field);
    }

    /** The caller as auth-service would describe them, read (not verified) from the bearer token's claims. */
    private void me(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null) {
            respond(exchange, 401, "{}", "application/problem+json");
            return;
        }
        String payload = new String(java.util.Base64.getUrlDecoder().decode(authorization.substring(7).split("\\.")[1]),
                StandardCharsets.UTF_8);
        String sub = payload.replaceAll(".*\"sub\":\"([^\"]+)\".*", "$1");
        String email = payload.replaceAll(".*\"email\":\"([^\"]+)\".*", "$1");
        respond(exchange, 200, """
                {"id":"%s","email":"%s","displayName":"Stand-in","roles":["user"],"emailVerified":true,
                 "createdAt":"2026-11-25T10:00:00Z"}""".formatted(sub, email), "application/json");
    }

    /**
     * rag-service's collection reads, named after the caller (read from the token, as auth-service's stand-in does),
     * so that a test sees whose token arrived; every other request under /api/rag/collections is echoed.
     */
    private void collections(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (!"GET".equals(exchange.getRequestMethod()) || authorization == null
                || !(path.equals("/api/rag/collections") || path.endsWith("/documents"))) {
            echo(exchange);
            return;
        }
        String payload = new String(java.util.Base64.getUrlDecoder().decode(authorization.substring(7).split("\\.")[1]),
                StandardCharsets.UTF_8);
        String sub = payload.replaceAll(".*\"sub\":\"([^\"]+)\".*", "$1");
        String item = path.endsWith("/documents")
                ? """
                  {"id":"doc-1","collectionId":"c1","title":"Doc of %s","externalId":null,"contentType":"text/plain",
                   "sizeBytes":3,"status":"INDEXED","chunkCount":1,"error":null,"createdAt":"2026-11-25T10:00:00Z",
                   "indexedAt":"2026-11-25T10:00:01Z"}""".formatted(sub)
                : """
                  {"id":"c1","name":"Collection of %s","description":null,"documentCount":1,
                   "createdAt":"2026-11-25T10:00:00Z"}""".formatted(sub);
        respond(exchange, 200, "{\"items\":[" + item + "],\"page\":0,\"size\":20,\"total\":1}", "application/json");
    }

    private static String read(HttpExchange exchange) throws IOException {
        return new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String jsonField(String json, String field) {
        return json.replaceAll("(?s).*\"" + field + "\"\\s*:\\s*\"([^\"]*)\".*", "$1");
    }

    /** rag's ask: at once, or after three seconds when the question says "slow" (a model taking its time). */
    private void askAnswer(HttpExchange exchange) throws IOException {
        String question = jsonField(read(exchange), "question");
        if (question.contains("slow")) {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            respond(exchange, 200, """
                    {"answer":"About %s [1]","mode":"extractive","model":null,
                     "citations":[{"documentId":"d1","externalId":"e1","title":"Found","chunkId":7,"snippet":"s"}]}"""
                    .formatted(question), "application/json");
        } catch (IOException e) {
            // the gateway gave up on us: expected for slow ones
        }
    }

    /** How many requests for {@code ?path=} reached this service: proof that the edge stopped the others. */
    private void seen(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getQuery().substring("path=".length());
        AtomicInteger count = seen.get(path);
        respond(exchange, 200, String.valueOf(count == null ? 0 : count.get()), "text/plain");
    }

    /** Answers after three seconds, past the route's timeout in the tests. */
    private void slow(HttpExchange exchange) throws IOException {
        try {
            Thread.sleep(3_000);
            respond(exchange, 200, "{\"late\":true}", "application/json");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the gateway gave up on us: expected
        }
    }

    /** Answers what arrived: method, path, query, headers, and the body's size and SHA-256. */
    private void echo(HttpExchange exchange) throws IOException {
        seen.computeIfAbsent(exchange.getRequestURI().getRawPath(), p -> new AtomicInteger()).incrementAndGet();
        if (exchange.getRequestURI().getPath().endsWith("/q/health/ready")) {
            respond(exchange, 200, "{\"status\":\"UP\",\"checks\":[]}", "application/json");
            return;
        }
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        long size = 0;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, read);
                size += read;
            }
        }
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), String.join(",", values)));
        StringBuilder json = new StringBuilder("{");
        json.append("\"method\":\"").append(exchange.getRequestMethod()).append("\",");
        json.append("\"path\":\"").append(exchange.getRequestURI().getRawPath()).append("\",");
        json.append("\"query\":\"").append(exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery()).append("\",");
        json.append("\"size\":").append(size).append(',');
        json.append("\"sha256\":\"").append(HexFormat.of().formatHex(digest.digest())).append("\",");
        json.append("\"headers\":{");
        json.append(String.join(",", headers.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue().replace("\"", "'") + "\"").toList()));
        json.append("}}");
        exchange.getResponseHeaders().add("X-Request-Id", headers.getOrDefault("x-request-id", "none"));
        respond(exchange, 200, json.toString(), "application/json");
    }

    /**
     * Sends one event, then waits for the test to say it received it through the gateway before sending the last.
     * Were the gateway to buffer, the test would never see the first event in time and the stream would end with
     * "timeout" instead of "second".
     */
    private void stream(HttpExchange exchange) throws IOException {
        streamRelease = new CountDownLatch(1);
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write("data: first\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            boolean released = streamRelease.await(30, TimeUnit.SECONDS);
            out.write(("data: " + (released ? "second" : "timeout") + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void respond(HttpExchange exchange, int status, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void stop() {
        if (auth != null) {
            auth.stop(0);
        }
        if (rag != null) {
            rag.stop(0);
        }
        if (flaky != null) {
            flaky.stop(0);
        }
        if (closing != null) {
            try {
                closing.close();
            } catch (IOException e) {
                // stopping anyway
            }
        }
    }
}
