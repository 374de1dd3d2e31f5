import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures auth-service as its clients meet it, against a running stack (./meridian up --detach):
 * login, refresh and token verification throughput with p50/p99, and the Argon2id hash time from the service's own
 * timer. Run: java benchmarks/AuthBenchmark.java [baseUrl] [seconds] [concurrency]
 * Each scenario runs `seconds` with `concurrency` parallel clients, after a short warm-up; addresses differ per
 * client so that brute-force protection, which is per address, does not throttle the benchmark's own logins.
 */
public class AuthBenchmark {

    // One client per benchmark thread: a shared JDK client stalled for seconds under concurrent HTTP/1.1 use here.
    static final ThreadLocal<HttpClient> CLIENTS = ThreadLocal.withInitial(() -> HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build());
    static final Pattern FIELD = Pattern.compile("\"(accessToken|refreshToken)\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://localhost:8081";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        String password = "bench-password-" + UUID.randomUUID();
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            String email = "bench-" + UUID.randomUUID() + "@example.com";
            send(base, "/api/auth/register", json("email", email, "password", password, "displayName", "Bench"), null, null);
            emails.add(email);
        }
        System.out.printf("auth-service benchmark: %s, %d s per scenario, %d clients%n", base, seconds, concurrency);
        String before = metrics(base);

        run("login", seconds, concurrency, client -> send(base, "/api/auth/login",
                json("email", emails.get(client), "password", password), null, address(client)));

        List<String> refreshTokens = Collections.synchronizedList(new ArrayList<>());
        List<String> accessTokens = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            String body = send(base, "/api/auth/login", json("email", emails.get(i), "password", password), null, address(i)).body();
            accessTokens.add(field(body, "accessToken"));
            refreshTokens.add(field(body, "refreshToken"));
        }
        run("refresh", seconds, concurrency, client -> {
            HttpResponse<String> response = send(base, "/api/auth/refresh", json("refreshToken", refreshTokens.get(client)), null, address(client));
            refreshTokens.set(client, field(response.body(), "refreshToken"));
            return response;
        });
        run("verify (GET /api/auth/me)", seconds, concurrency, client -> get(base, "/api/auth/me", accessTokens.get(client)));

        String after = metrics(base);
        double count = metric(after, "meridian_auth_password_hash_seconds_count") - metric(before, "meridian_auth_password_hash_seconds_count");
        double sum = metric(after, "meridian_auth_password_hash_seconds_sum") - metric(before, "meridian_auth_password_hash_seconds_sum");
        System.out.printf("Argon2id hash (the service's own timer): %.1f ms mean over %.0f hashes%n", sum / count * 1000, count);
    }

    static String metrics(String base) throws Exception {
        return CLIENTS.get().send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    interface Call {
        HttpResponse<String> call(int client) throws Exception;
    }

    static void run(String name, int seconds, int concurrency, Call call) throws Exception {
        measure(call, concurrency, Math.max(2, seconds / 5)); // warm-up
        Result result = measure(call, concurrency, seconds);
        System.out.printf("%-28s %8.1f req/s   p50 %6.1f ms   p99 %6.1f ms   errors %d%n", name,
                result.count / result.seconds, result.percentile(50), result.percentile(99), result.errors);
    }

    record Result(long count, double seconds, List<Long> nanos, int errors) {
        double percentile(int p) {
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100)) / 1e6;
        }
    }

    static Result measure(Call call, int concurrency, int seconds) throws Exception {
        ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            for (int client = 0; client < concurrency; client++) {
                int c = client;
                pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> response = call.call(c);
                            if (response.statusCode() >= 300) {
                                errors.incrementAndGet();
                                continue;
                            }
                            nanos.add(System.nanoTime() - t0);
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(nanos.size(), elapsed, new ArrayList<>(nanos), errors.get());
    }

    static HttpResponse<String> send(String base, String path, String body, String token, String address) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (address != null) {
            request.header("X-Forwarded-For", address);
        }
        return CLIENTS.get().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String base, String path, String token) throws Exception {
        return CLIENTS.get().send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String address(int client) {
        return "10.77." + (client / 250) + "." + (1 + client % 250);
    }

    static String field(String body, String name) {
        Matcher matcher = FIELD.matcher(body);
        while (matcher.find()) {
            if (matcher.group(1).equals(name)) {
                return matcher.group(2);
            }
        }
        throw new IllegalStateException("no " + name + " in " + body);
    }

    static double metric(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    static String json(String... pairs) {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            json.append(i == 0 ? "" : ",").append('"').append(pairs[i]).append("\":\"").append(pairs[i + 1]).append('"');
        }
        return json.append('}').toString();
    }
}
