package io.meridian.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * A packaged service as production runs it (the prod profile, the gateway here): every log line is a JSON object,
 * a request's lines carry its request id and trace id, with OTEL_EXPORTER_OTLP_ENDPOINT set its spans reach the OTLP
 * endpoint (a recording stand-in for the collector), and the trace goes on to the service it forwards to (a stand-in
 * auth-service that records the {@code traceparent} it receives).
 */
class ProductionLogsAndTracesTest {

    private static final Path JAR = Repository.ROOT.resolve("gateway/target/quarkus-app/quarkus-run.jar");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void productionLogsAreJsonLinesWithRequestAndTraceIdsAndSpansGoToTheOtlpEndpoint() throws Exception {
        assertThat(JAR).as("the packaged gateway (built before this module)").exists();
        List<String> exported = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        collector.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exported.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        List<String> traceParents = new CopyOnWriteArrayList<>();
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        upstream.createContext("/", exchange -> {
            String traceParent = exchange.getRequestHeaders().getFirst("traceparent");
            if (exchange.getRequestURI().getPath().equals("/.well-known/jwks.json")) { // not the gateway's health probes
                traceParents.add(traceParent == null ? "none" : traceParent);
            }
            byte[] body = "{\"keys\":[]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        int port = freePort();
        int management = freePort(); // probes and metrics: the gateway's management interface
        Path log = Files.createTempFile("gateway-prod-", ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dquarkus.http.port=" + port, "-Dquarkus.management.port=" + management,
                "-Dquarkus.otel.bsp.schedule.delay=100ms",
                "-jar", JAR.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort());
        builder.environment().put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        builder.environment().put("AUTH_SERVICE_URL", "http://127.0.0.1:" + upstream.getAddress().getPort());
        Process gateway = builder.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            awaitLive(http, management, gateway, log);
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .header("X-Request-Id", "prod-logs-1").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.headers().firstValue("X-Request-Id")).contains("prod-logs-1");

            JsonNode line = awaitLine(log, "prod-logs-1");
            assertThat(line.path("level").asText()).isNotBlank();
            assertThat(line.path("mdc").path("traceId").asText()).as("trace id of the request's log line").hasSize(32);
            for (String text : Files.readAllLines(log)) {
                if (!text.isBlank()) {
                    assertThat(JSON.readTree(text).isObject()).as("a JSON object per line: %s", text).isTrue();
                }
            }
            Instant deadline = Instant.now().plusSeconds(15);
            while (exported.stream().noneMatch(e -> e.equals("POST /v1/traces")) && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
            assertThat(exported).contains("POST /v1/traces");

            // Through to a service: the forwarded request carries the trace on (W3C traceparent of the same trace).
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/.well-known/jwks.json"))
                    .header("X-Request-Id", "prod-logs-2").build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
            String forwardedTrace = awaitLine(log, "prod-logs-2").path("mdc").path("traceId").asText();
            assertThat(traceParents).hasSize(1);
            assertThat(traceParents.get(0)).matches("00-" + forwardedTrace + "-[0-9a-f]{16}-0[01]");
        } finally {
            gateway.destroy();
            gateway.waitFor();
            collector.stop(0);
            upstream.stop(0);
        }
    }

    private static JsonNode awaitLine(Path log, String requestId) throws Exception {
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline)) {
            for (String text : Files.readAllLines(log)) {
                if (text.contains(requestId)) {
                    JsonNode line = JSON.readTree(text);
                    if (requestId.equals(line.path("mdc").path("requestId").asText())) {
                        return line;
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no log line with requestId " + requestId + ":\n" + Files.readString(log));
    }

    private static void awaitLive(HttpClient http, int port, Process process, Path log) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("the gateway exited:\n" + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/live")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet listening
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the gateway was not live within 60 s:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
