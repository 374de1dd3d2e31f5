package io.meridian.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * A fixed-rate mixed workload through the gateway: logins, token refreshes, hybrid searches, cache writes and reads,
 * and asks, from several users at once, each user one request after another at its share of the rate. Reports the
 * latency percentiles per operation, the errors (answers other than the expected status: there must be none), and
 * each service's resident memory at the start and the end, to {@code e2e-tests/target/load-report.txt}.
 * <p>
 * The test command runs it for 30 s at 20 requests/s; the long run is
 * {@code ./meridian test -pl e2e-tests -Dtest=LoadTest -Dmeridian.load.duration=PT10M} (docs/performance.md).
 */
class LoadTest {

    private static final Duration DURATION = Duration.parse(System.getProperty("meridian.load.duration", "PT30S"));
    private static final int RATE = Integer.getInteger("meridian.load.rate", 20);
    private static final int USERS = 8;
    private static final List<String> OPERATIONS = List.of("login", "refresh", "search", "cache-put", "cache-get", "ask");

    private static String admin;
    private static final List<User> users = new ArrayList<>();

    private record User(String email, String password, String[] refresh, String[] access, String collection) {
    }

    @BeforeAll
    static void workloadData() {
        RestAssured.baseURI = Suite.get().gateway();
        admin = AccountJourneyTest.login(Suite.ADMIN_EMAIL, Suite.ADMIN_PASSWORD).getString("accessToken");
        List<String> pending = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            FaultsTest.Account account = FaultsTest.Account.register("load");
            var pair = AccountJourneyTest.login(account.email(), account.password());
            String token = pair.getString("accessToken");
            String collection = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "Load " + i))
                    .when().post("/api/rag/collections").then().statusCode(201).extract().path("id");
            List<Map<String, String>> documents = new ArrayList<>();
            for (int d = 0; d < 6; d++) {
                documents.add(Map.of("title", "Note " + d, "text", "Observation " + d + ": seabirds "
                        + (d % 2 == 0 ? "dive" : "glide") + " near the cliffs at dawn, number " + d + " of the season."));
            }
            pending.addAll(given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("documents", documents))
                    .when().post("/api/rag/collections/" + collection + "/documents/batch").then().statusCode(202)
                    .extract().<List<String>>path("id"));
            users.add(new User(account.email(), account.password(), new String[] { pair.getString("refreshToken") },
                    new String[] { token }, collection));
        }
        for (int i = 0; i < pending.size(); i++) {
            assertThat(Waits.indexed(users.get(i / 6).access()[0], pending.get(i))).isEqualTo("INDEXED");
        }
    }

    @Test
    void aMixedWorkloadAtAFixedRateHasNoErrors() throws Exception {
        Map<String, List<Double>> latencies = new ConcurrentHashMap<>();
        OPERATIONS.forEach(op -> latencies.put(op, new CopyOnWriteArrayList<>()));
        List<String> errors = new CopyOnWriteArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        Map<String, Long> memoryAtStart = memory();
        Duration period = Duration.ofNanos(1_000_000_000L * USERS / RATE);
        Instant start = Instant.now();
        Instant end = start.plus(DURATION);
        List<Thread> threads = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            User user = users.get(u);
            Instant first = start.plus(period.dividedBy(USERS).multipliedBy(u));
            threads.add(Thread.ofVirtual().start(() -> {
                for (long tick = 0;; tick++) {
                    Instant due = first.plus(period.multipliedBy(tick));
                    if (due.isAfter(end)) {
                        return;
                    }
                    long wait = Duration.between(Instant.now(), due).toMillis();
                    if (wait > 0) {
                        Suite.sleep(wait);
                    }
                    String operation = OPERATIONS.get((int) ((tick + user.email().hashCode()) % OPERATIONS.size() + OPERATIONS.size()) % OPERATIONS.size());
                    long began = System.nanoTime();
                    String error = run(operation, user);
                    latencies.get(operation).add((System.nanoTime() - began) / 1e6);
                    sent.incrementAndGet();
                    if (error != null) {
                        errors.add(operation + ": " + error);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        Duration took = Duration.between(start, Instant.now());
        Map<String, Long> memoryAtEnd = memory();

        StringBuilder report = new StringBuilder();
        report.append(String.format("load: %d requests in %.1f s (%.1f/s, target %d/s), %d users, %d errors%n", sent.get(),
                took.toMillis() / 1000.0, sent.get() / (took.toMillis() / 1000.0), RATE, USERS, errors.size()));
        report.append(String.format("%-10s %6s %8s %8s %8s %8s%n", "operation", "count", "p50 ms", "p95 ms", "p99 ms", "max ms"));
        for (String operation : OPERATIONS) {
            List<Double> values = new ArrayList<>(latencies.get(operation));
            Collections.sort(values);
            report.append(String.format("%-10s %6d %8.1f %8.1f %8.1f %8.1f%n", operation, values.size(), pct(values, 50),
                    pct(values, 95), pct(values, 99), values.isEmpty() ? 0 : values.get(values.size() - 1)));
        }
        report.append("resident memory (MiB) at start -> end:");
        memoryAtStart.forEach((instance, kib) -> report.append(String.format(" %s %d->%d;", instance, kib / 1024,
                memoryAtEnd.getOrDefault(instance, 0L) / 1024)));
        report.append('\n');
        errors.stream().limit(20).forEach(e -> report.append("error: ").append(e).append('\n'));
        System.out.print(report);
        write(report.toString());
        assertThat(sent.get()).isGreaterThanOrEqualTo((int) (RATE * DURATION.toSeconds() * 0.9));
        assertThat(errors).as("requests without the expected answer").isEmpty();
    }

    /** One request of the operation; null when it got the answer it should, else what it got. */
    private static String run(String operation, User user) {
        Response response = switch (operation) {
            case "login" -> given().contentType(ContentType.JSON).body(Map.of("email", user.email(), "password", user.password()))
                    .when().post("/api/auth/login").thenReturn();
            case "refresh" -> {
                Response r = given().contentType(ContentType.JSON).body(Map.of("refreshToken", user.refresh()[0]))
                        .when().post("/api/auth/refresh").thenReturn();
                if (r.statusCode() == 200) {
                    user.refresh()[0] = r.path("refreshToken");
                    user.access()[0] = r.path("accessToken");
                }
                yield r;
            }
            case "search" -> given().auth().oauth2(user.access()[0]).contentType(ContentType.JSON)
                    .body(Map.of("query", "seabirds dive at dawn", "collectionIds", List.of(user.collection()), "mode", "hybrid"))
                    .when().post("/api/rag/search").thenReturn();
            case "cache-put" -> given().auth().oauth2(admin).contentType("application/json")
                    .body("{\"user\":\"" + user.email() + "\",\"at\":\"" + Instant.now() + "\"}")
                    .when().put("/api/cache/load/" + Math.abs(user.email().hashCode() % 100) + "?ttl=300").thenReturn();
            case "cache-get" -> given().auth().oauth2(admin).when().get("/api/cache/load/" + Math.abs(user.email().hashCode() % 100))
                    .thenReturn();
            case "ask" -> given().auth().oauth2(user.access()[0]).contentType(ContentType.JSON)
                    .body(Map.of("question", "When do seabirds dive?", "collectionIds", List.of(user.collection())))
                    .when().post("/api/rag/ask").thenReturn();
            default -> throw new IllegalArgumentException(operation);
        };
        int expected = operation.equals("cache-put") ? 204 : 200;
        // A cache read before the first write of that key is a miss, which is a correct answer too.
        if (response.statusCode() == expected || operation.equals("cache-get") && response.statusCode() == 404) {
            return null;
        }
        return response.statusCode() + " " + response.asString().substring(0, Math.min(200, response.asString().length()));
    }

    /** Each service instance's resident set, in KiB, from /proc. */
    private static Map<String, Long> memory() {
        Map<String, Long> rss = new LinkedHashMap<>();
        Suite.get().processes.forEach((instance, process) -> {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss.put(instance, Long.parseLong(line.replaceAll("\\D", "")));
                    }
                }
            } catch (IOException e) {
                rss.put(instance, -1L);
            }
        });
        return rss;
    }

    private static double pct(List<Double> sorted, int percentile) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
    }

    private static void write(String report) throws IOException {
        Path file = Path.of("target/load-report-" + UUID.randomUUID().toString().substring(0, 4) + ".txt");
        Files.writeString(Path.of("target/load-report.txt"), report);
        Files.writeString(file, report);
    }
}
