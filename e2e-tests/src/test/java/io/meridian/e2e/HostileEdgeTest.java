package io.meridian.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The edge under hostile traffic, against the packaged services (ADR 0011; bounded request counts, loopback only).
 * The gateway trusts a stand-in ingress on 127.0.0.2: a client connecting from there with X-Forwarded-For is what an
 * ingress controller forwards; every other test client is 127.0.0.1, an untrusted peer.
 */
class HostileEdgeTest {

    private static HttpClient ingress;

    @BeforeAll
    static void platform() throws Exception {
        RestAssured.baseURI = Suite.get().gateway();
        ingress = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .localAddress(InetAddress.getByName("127.0.0.2")).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpResponse<String> viaIngress(String method, String path, String client, String body, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(Suite.get().gateway() + path))
                .timeout(Duration.ofSeconds(30)).header("X-Forwarded-For", client).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return ingress.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> login(String email, String password, String client) throws Exception {
        return viaIngress("POST", "/api/auth/login", client,
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}", null);
    }

    @Test
    void guessingFromOneAddressLocksNobodyElseOutAndTheRealAddressReachesAuthService() throws Exception {
        FaultsTest.Account victim = FaultsTest.Account.register("victim");
        FaultsTest.Account neighbour = FaultsTest.Account.register("neighbour");
        String attacker = "203.0.113.45";
        List<Integer> guesses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            guesses.add(login(victim.email(), "guess-" + i, attacker).statusCode());
        }
        assertThat(guesses.subList(0, 5)).containsOnly(401);
        assertThat(guesses.subList(6, 8)).contains(429); // past the free attempts, this address waits
        // The victim from home, and a neighbour behind the attacker's own address, sign in at once.
        HttpResponse<String> home = login(victim.email(), victim.password(), "198.51.100.23");
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(login(neighbour.email(), neighbour.password(), attacker).statusCode()).isEqualTo(200);

        // auth-service saw the real client address, not the ingress' nor the gateway's.
        String access = JsonPath.from(home.body()).getString("accessToken");
        List<String> ips = given().auth().oauth2(access).when().get("/api/auth/sessions").then().statusCode(200)
                .extract().jsonPath().getList("ip");
        assertThat(ips).contains("198.51.100.23");

        // Straight from an untrusted peer, a forged X-Forwarded-For is not believed.
        String direct = given().contentType(ContentType.JSON).header("X-Forwarded-For", "192.0.2.99")
                .body(Map.of("email", neighbour.email(), "password", neighbour.password())).when().post("/api/auth/login")
                .then().statusCode(200).extract().path("accessToken");
        List<String> neighbourIps = given().auth().oauth2(direct).when().get("/api/auth/sessions").then().statusCode(200)
                .extract().jsonPath().getList("ip");
        assertThat(neighbourIps).contains("127.0.0.1").doesNotContain("192.0.2.99");
    }

    @Test
    void everyClientBehindTheIngressHasARateLimitBucketOfItsOwn() throws Exception {
        List<String> remaining = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            HttpResponse<String> answer = login("nobody-" + i + "@example.com", "wrong-password-1", "198.18.7." + i);
            assertThat(answer.statusCode()).isEqualTo(401);
            remaining.add(answer.headers().firstValue("RateLimit-Remaining").orElse("?"));
        }
        // The suite's login class holds 1,000: each address starts its own bucket.
        assertThat(remaining).containsOnly("999");
    }

    @Test
    void tokensNamingUnknownKeysCostTheOthersNothing() throws Exception {
        FaultsTest.Account steady = FaultsTest.Account.register("steady");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> forged = new ArrayList<>();
        String[] parts = steady.token().split("\\.");
        for (int i = 0; i < 40; i++) {
            String header = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8));
            forged.add(http.sendAsync(HttpRequest.newBuilder(URI.create(Suite.get().gateway() + "/api/rag/collections"))
                    .header("Authorization", "Bearer " + header + "." + parts[1] + "." + parts[2])
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(Suite.get().gateway() + "/health"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> mine = http.send(HttpRequest.newBuilder(URI.create(Suite.get().gateway()
                    + "/api/rag/collections")).header("Authorization", "Bearer " + steady.token())
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(mine.statusCode()).isEqualTo(200);
        }
        for (CompletableFuture<HttpResponse<String>> answer : forged) {
            assertThat(answer.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void graphQlIsAuthenticatedAndBudgeted() {
        given().contentType(ContentType.JSON).body(Map.of("query", "{ me { id } }")).when().post("/graphql")
                .then().statusCode(401).contentType("application/problem+json");
        FaultsTest.Account user = FaultsTest.Account.register("aliaser");
        StringBuilder query = new StringBuilder("{");
        for (int i = 0; i < 50; i++) {
            query.append(" a").append(i).append(": ask(question: \"q\", collectionIds: []) { answer }");
        }
        given().auth().oauth2(user.token()).contentType(ContentType.JSON).body(Map.of("query", query.append(" }").toString()))
                .when().post("/graphql").then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(user.token()).contentType(ContentType.JSON).body(Map.of("query", "{ me { email } }"))
                .when().post("/graphql").then().statusCode(200);
    }

    @Test
    void connectionsTheServiceClosesUnderARequestCostNoErrors() throws Exception {
        FaultsTest.Account user = FaultsTest.Account.register("keepalive");
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Callable<Integer>> requests = new ArrayList<>();
            for (int i = 0; i < 150; i++) { // the suite's default bucket holds 200
                String path = "/api/closing/items/" + i;
                requests.add(() -> given().auth().oauth2(user.token()).when().get(path).statusCode());
            }
            Map<Integer, Integer> statuses = new java.util.TreeMap<>();
            for (java.util.concurrent.Future<Integer> status : callers.invokeAll(requests)) {
                statuses.merge(status.get(), 1, Integer::sum);
            }
            assertThat(statuses).containsExactly(Map.entry(200, 150));
        } finally {
            callers.shutdownNow();
        }
        assertThat(Suite.get().closing.closedUnanswered.get()).as("connections closed under a request").isPositive();
    }

    @Test
    void oneUsersSlowGraphQlCallsLeaveHealthAndTheRestAnswering() throws Exception {
        FaultsTest.Account user = FaultsTest.Account.register("slow-graphql");
        String agent = given().auth().oauth2(user.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "Ponderer", "instructions", "Think.", "tools", List.of("calculator")))
                .when().post("/api/agents").then().statusCode(201).extract().path("id");
        String mutation = "mutation { startRun(agentId: \"" + agent + "\", input: \"[slow] think\") { status } }";
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            List<java.util.concurrent.Future<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                runs.add(callers.submit(() -> given().auth().oauth2(user.token()).contentType(ContentType.JSON)
                        .body(Map.of("query", mutation)).when().post("/graphql").statusCode()));
            }
            Thread.sleep(500); // the slow runs now hold GraphQL's connections to agent-service and fill its queue
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(Suite.get().gateway() + "/health"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(JsonPath.from(health.body()).getString("services.agent.status")).isEqualTo("UP");
                given().auth().oauth2(user.token()).when().get("/api/agents").then().statusCode(200);
            }
            for (java.util.concurrent.Future<Integer> run : runs) {
                assertThat(run.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void internalEndpointsAreNotOnThePublicPort() {
        for (String internal : List.of("/q/metrics", "/q/health/ready", "/q/openapi")) {
            given().when().get(internal).then().statusCode(404);
        }
        given().baseUri("http://127.0.0.1:" + Suite.get().gatewayManagementPort).when().get("/q/metrics")
                .then().statusCode(200);
    }

    @Test
    void aFloodOfWrongPasswordChangesLeavesLoginsAndTheJwksAnswering() throws Exception {
        FaultsTest.Account target = FaultsTest.Account.register("flooded");
        FaultsTest.Account bystander = FaultsTest.Account.register("bystander");
        List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
        HttpClient attackerClient = ingress;
        for (int i = 0; i < 32; i++) {
            // 32 addresses, so the per-address throttle does not simply refuse them: each one reaches the hash
            HttpRequest request = HttpRequest.newBuilder(URI.create(Suite.get().gateway() + "/api/auth/me/password"))
                    .timeout(Duration.ofSeconds(60)).header("X-Forwarded-For", "100.64.9." + (i + 1))
                    .header("Authorization", "Bearer " + target.token()).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"currentPassword\":\"wrong-" + i
                            + "\",\"newPassword\":\"A new long passphrase " + i + "\"}"))
                    .build();
            flood.add(attackerClient.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        // While they run: a login and the JWKS answer (bounded: a stalled pool would exceed these timeouts).
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> login = login(bystander.email(), bystander.password(), "198.51.100." + (60 + i));
            assertThat(login.statusCode()).isEqualTo(200);
            given().when().get("/.well-known/jwks.json").then().statusCode(200);
        }
        for (CompletableFuture<HttpResponse<String>> answer : flood) {
            assertThat(answer.get(60, TimeUnit.SECONDS).statusCode()).isIn(400, 429);
        }
        AccountJourneyTest.login(target.email(), target.password()); // the password did not change
    }

    @Test
    void aHungJwksEndpointAndRandomKeyIdsBlockNothingElse() throws Exception {
        FaultsTest.Account steady = FaultsTest.Account.register("steady");
        String valid = steady.token();
        given().auth().oauth2(valid).when().get("/api/auth/me").then().statusCode(200); // its key is known
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Suite.get().jwksProxy.stall();
        try {
            List<CompletableFuture<HttpResponse<String>>> forged = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                // a well-formed token with a key id nobody published: the gateway must look the key up
                String[] parts = valid.split("\\.");
                String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + UUID.randomUUID() + "\"}";
                String token = Base64.getUrlEncoder().withoutPadding().encodeToString(header.getBytes(StandardCharsets.UTF_8))
                        + "." + parts[1] + "." + parts[2];
                forged.add(http.sendAsync(HttpRequest.newBuilder(URI.create(Suite.get().gateway() + "/api/auth/me"))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(40)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            // while they wait for keys that never come, the rest answers within a second (a timeout fails the test)
            for (int round = 0; round < 5; round++) {
                assertThat(send(http, Suite.get().gateway() + "/.well-known/jwks.json", null).statusCode()).isEqualTo(200);
                assertThat(send(http, Suite.get().gateway() + "/api/auth/me", valid).statusCode()).isEqualTo(200);
                assertThat(send(http, "http://127.0.0.1:" + Suite.get().gatewayManagementPort + "/q/health/live", null)
                        .statusCode()).isEqualTo(200);
                Thread.sleep(200);
            }
            for (CompletableFuture<HttpResponse<String>> answer : forged) {
                assertThat(answer.get(40, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
            }
        } finally {
            Suite.get().jwksProxy.restore();
        }
    }

    private static HttpResponse<String> send(HttpClient http, String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(1));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
