import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * agent-service's own cost, against an instant OpenAI-compatible model served by this program (agent-service must be
 * started with AGENT_CHAT_PROVIDER=openai and AGENT_CHAT_BASE_URL pointing here; ./meridian bench agent does that).
 * <ol>
 * <li>Overhead per step: inline runs of 10 model calls and 9 calculator calls (19 steps each); the run's time in
 * agent-service minus the time spent inside the model server, divided by its steps.</li>
 * <li>Async throughput: a burst of queued runs (2 model calls and 1 tool call each) submitted from 8 threads; runs per
 * second from the first submission to the last run's end (the run's own finishedAt).</li>
 * </ol>
 * Run: java -cp "$(cat .run/bench.classpath)" benchmarks/AgentBenchmark.java [agent url] [auth url] [admin email]
 * [admin password file] [model port] [inline runs] [async runs]
 */
public class AgentBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final AtomicLong MODEL_NANOS = new AtomicLong();

    public static void main(String[] args) throws Exception {
        String agent = args[0];
        String token = login(args[1], args[2], Files.readString(Path.of(args[3])).strip());
        int modelPort = Integer.parseInt(args[4]);
        int inlineRuns = Integer.parseInt(args[5]);
        int asyncRuns = Integer.parseInt(args[6]);
        HttpServer model = instantModel(modelPort);
        try {
            String agentId = post(agent + "/api/agents", token, Map.of("name", "Bench", "instructions", "Compute.",
                    "tools", List.of("calculator"), "maxSteps", 20, "timeLimitSeconds", 120)).get("id").asText();
            for (int i = 0; i < 30; i++) { // warm-up: the JIT compiles the service's paths
                post(agent + "/api/agents/" + agentId + "/runs", token, Map.of("input", "steps 10"));
            }
            List<Double> perStep = new ArrayList<>();
            List<Double> perRun = new ArrayList<>();
            for (int i = 0; i < inlineRuns; i++) {
                MODEL_NANOS.set(0);
                long started = System.nanoTime();
                JsonNode run = post(agent + "/api/agents/" + agentId + "/runs", token, Map.of("input", "steps 10"));
                long total = System.nanoTime() - started;
                if (!"SUCCEEDED".equals(run.path("status").asText())) {
                    throw new IllegalStateException("run failed: " + run);
                }
                int steps = run.path("steps").size();
                perRun.add(total / 1e6);
                perStep.add((total - MODEL_NANOS.get()) / 1e6 / steps);
            }
            System.out.printf("inline runs of 19 steps (10 model, 9 tool): %d runs, run p50 %.1f ms p95 %.1f ms; "
                    + "agent-service overhead per step p50 %.2f ms p95 %.2f ms%n", inlineRuns, pct(perRun, 50),
                    pct(perRun, 95), pct(perStep, 50), pct(perStep, 95));

            ExecutorService submitters = Executors.newFixedThreadPool(8);
            ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
            Instant first = Instant.now();
            List<Future<?>> submitted = new ArrayList<>();
            for (int i = 0; i < asyncRuns; i++) {
                submitted.add(submitters.submit(() -> {
                    ids.add(post(agent + "/api/agents/" + agentId + "/runs", token,
                            Map.of("input", "steps 2", "async", true)).get("id").asText());
                    return null;
                }));
            }
            for (Future<?> f : submitted) {
                f.get();
            }
            Duration submitting = Duration.between(first, Instant.now());
            submitters.shutdown();
            Instant last = first;
            int failed = 0;
            for (String id : ids) {
                JsonNode run;
                while (true) {
                    run = get(agent + "/api/agents/runs/" + id, token);
                    String status = run.path("status").asText();
                    if (status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED")) {
                        break;
                    }
                    Thread.sleep(50);
                }
                failed += run.path("status").asText().equals("SUCCEEDED") ? 0 : 1;
                Instant finished = Instant.parse(run.path("finishedAt").asText());
                last = finished.isAfter(last) ? finished : last;
            }
            double seconds = Duration.between(first, last).toMillis() / 1000.0;
            System.out.printf("async runs of 3 steps (2 model, 1 tool): %d queued in %.1f s, all ended in %.1f s: "
                    + "%.0f runs/s (%d not SUCCEEDED)%n", asyncRuns, submitting.toMillis() / 1000.0, seconds,
                    asyncRuns / seconds, failed);
        } finally {
            model.stop(0);
        }
        System.exit(0); // the model server's threads would keep the JVM alive
    }

    /** An OpenAI-compatible model that answers at once: "steps N" makes it call calculator N-1 times, then answer. */
    private static HttpServer instantModel(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/v1/models", exchange -> send(exchange, "{\"object\":\"list\",\"data\":[]}"));
        server.createContext("/v1/chat/completions", exchange -> {
            long started = System.nanoTime();
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            int wanted = 1;
            int tools = 0;
            for (JsonNode message : request.path("messages")) {
                if (message.path("role").asText().equals("user") && message.path("content").asText().startsWith("steps ")) {
                    wanted = Integer.parseInt(message.path("content").asText().substring(6).strip());
                }
                tools += message.path("role").asText().equals("tool") ? 1 : 0;
            }
            String message = tools + 1 < wanted
                    ? "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c" + tools + "\",\"type\":\"function\","
                            + "\"function\":{\"name\":\"calculator\",\"arguments\":\"{\\\"expression\\\":\\\"" + tools + " + 1\\\"}\"}}]}"
                    : "{\"role\":\"assistant\",\"content\":\"Done after " + tools + " tool calls.\"}";
            send(exchange, "{\"id\":\"b\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"instant\",\"choices\":[{"
                    + "\"index\":0,\"finish_reason\":\"stop\",\"message\":" + message + "}],"
                    + "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":5,\"total_tokens\":55}}");
            MODEL_NANOS.addAndGet(System.nanoTime() - started);
        });
        server.start();
        return server;
    }

    private static void send(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static double pct(List<Double> values, int percentile) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
    }

    private static String login(String auth, String email, String password) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(auth + "/api/auth/login"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(Map.of("email", email, "password", password)))).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).get("accessToken").asText();
    }

    private static JsonNode get(String url, String token) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static JsonNode post(String url, String token, Object body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
