import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;

/**
 * Token verification as a resource-server service does it: SmallRye JWT with auth-service's JWKS, issuer, audience
 * and RS256, the configuration service-defaults gives every service. Signs in to a running auth-service for a real
 * token, then verifies it over and over on 1 and 2 threads.
 * Run: java -cp "$(cat .run/bench.classpath)" benchmarks/JwtVerifyBenchmark.java [authUrl] [seconds]
 * (./meridian bench writes that classpath).
 */
public class JwtVerifyBenchmark {

    public static void main(String[] args) throws Exception {
        String auth = args.length > 0 ? args[0] : "http://127.0.0.1:8081";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String email = "verify-bench-" + UUID.randomUUID() + "@example.com";
        String password = "verify-bench-" + UUID.randomUUID();
        post(http, auth + "/api/auth/register", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\",\"displayName\":\"Bench\"}");
        String login = post(http, auth + "/api/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
        Matcher matcher = Pattern.compile("\"accessToken\":\"([^\"]+)\"").matcher(login);
        if (!matcher.find()) {
            throw new IllegalStateException("no token: " + login);
        }
        String token = matcher.group(1);

        JWTAuthContextInfo context = new JWTAuthContextInfo(auth + "/.well-known/jwks.json", "http://localhost:8080");
        context.setExpectedAudience(java.util.Set.of("meridian"));
        JWTParser parser = new DefaultJWTParser(context);
        parser.parse(token); // fetches and caches the JWKS

        System.out.printf("SmallRye JWT verification (RS256, JWKS from %s), %d s per run%n", auth, seconds);
        for (int threads : new int[] { 1, 2 }) {
            run(parser, token, threads, 2); // warm-up
            long count = run(parser, token, threads, seconds);
            System.out.printf("%d thread(s): %,.0f verifications/s (%.1f us each per thread)%n", threads,
                    count / (double) seconds, seconds * 1e6 * threads / count);
        }
    }

    static long run(JWTParser parser, String token, int threads, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Long>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            results.add(pool.submit(() -> {
                long done = 0;
                while (System.nanoTime() < end) {
                    parser.parse(token);
                    done++;
                }
                return done;
            }));
        }
        long total = 0;
        for (Future<Long> result : results) {
            total += result.get();
        }
        pool.shutdown();
        return total;
    }

    static String post(HttpClient http, String url, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
