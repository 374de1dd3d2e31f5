package io.meridian.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.meridian.testsupport.TcpProxy;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Faults, each with the traffic it affects still running: a dependency taken away from every service at once (its
 * proxy cut), a service killed, and two replicas of email-service and agent-service on the same topics throughout.
 */
class FaultsTest {

    private static String admin;

    @BeforeAll
    static void suite() {
        RestAssured.baseURI = Suite.get().gateway();
        admin = AccountJourneyTest.login(Suite.ADMIN_EMAIL, Suite.ADMIN_PASSWORD).getString("accessToken");
    }

    @Test
    void withThePlatformsRedisGoneRateLimitingFailsOpenLoginWorksAndTheCacheKeepsItsOwn() {
        Account account = Account.register("redis");
        Traffic traffic = Traffic.start(() -> given().auth().oauth2(account.token()).when().get("/api/auth/me").statusCode());
        Suite.get().redisProxy.cut();
        try {
            Suite.sleep(1500); // the traffic keeps going while Redis is away
            assertThat(AccountJourneyTest.login(account.email(), account.password()).getString("accessToken")).isNotBlank();
            // cache data lives in a Redis of its own (ADR 0014): the cache keeps answering
            given().auth().oauth2(admin).contentType("text/plain").body("x").when().put("/api/cache/faults/k")
                    .then().statusCode(204);
            given().when().get("/health").then().body("edge.rateLimiting", equalTo("DEGRADED"));
        } finally {
            Suite.get().redisProxy.restore();
        }
        Map<Integer, Integer> statuses = traffic.stop();
        assertThat(statuses.keySet()).as("answers to /api/auth/me while Redis was gone").containsOnly(200);
    }

    @Test
    void withTheCachesRedisGoneTheCacheAnswers503AndNothingElseNotices() {
        Account account = Account.register("cache-redis");
        await(() -> "UP".equals(given().when().get("/health").then().extract().path("edge.rateLimiting")),
                "the rate limits on the platform's Redis again (an earlier test may have taken it away)");
        Traffic traffic = Traffic.start(() -> given().auth().oauth2(account.token()).when().get("/api/auth/me").statusCode());
        Suite.get().cacheRedisProxy.cut();
        try {
            Suite.sleep(1000);
            given().auth().oauth2(admin).contentType("text/plain").body("x").when().put("/api/cache/faults/k2")
                    .then().statusCode(503).contentType("application/problem+json");
            assertThat(AccountJourneyTest.login(account.email(), account.password()).getString("accessToken")).isNotBlank();
            given().when().get("/health").then().body("edge.rateLimiting", equalTo("UP"));
        } finally {
            Suite.get().cacheRedisProxy.restore();
        }
        Map<Integer, Integer> statuses = traffic.stop();
        assertThat(statuses.keySet()).as("answers to /api/auth/me while the cache's Redis was gone").containsOnly(200);
        await(() -> given().auth().oauth2(admin).contentType("text/plain").body("back").when().put("/api/cache/faults/k2")
                .statusCode() == 204, "the cache back after its Redis returns");
    }

    @Test
    void withKafkaGoneWritesSucceedAndTheirEventsArriveAfterwardsEachMailOnce() {
        List<Account> accounts = new ArrayList<>();
        Suite.get().kafkaProxy.cut();
        try {
            for (int i = 0; i < 3; i++) {
                accounts.add(Account.register("kafka"));
            }
            for (Account account : accounts) { // nothing can reach email-service while Kafka is away
                Mails.assertStays(account.email(), 0, Duration.ofMillis(700));
            }
        } finally {
            Suite.get().kafkaProxy.restore();
        }
        for (Account account : accounts) {
            Mails.awaitMessages(account.email(), 1);
        }
        for (Account account : accounts) { // the verification, once (the welcome waits for the address to be proved)
            Mails.assertStays(account.email(), 1, Duration.ofSeconds(1));
        }
    }

    @Test
    void withTheSmtpServerGoneMailsAreRetriedThenAllDeliveredOnce() {
        List<Account> accounts = new ArrayList<>();
        Suite.get().smtp.proxy().cut();
        try {
            for (int i = 0; i < 2; i++) {
                accounts.add(Account.register("smtp"));
            }
            for (Account account : accounts) { // sends fail and are retried while the server is away
                Mails.assertStays(account.email(), 0, Duration.ofMillis(1500));
            }
        } finally {
            Suite.get().smtp.proxy().restore();
        }
        for (Account account : accounts) {
            Mails.awaitMessages(account.email(), 1);
        }
        for (Account account : accounts) {
            Mails.assertStays(account.email(), 1, Duration.ofSeconds(1));
        }
    }

    @Test
    void aStoppedServiceCostsItsRoutesAFast503AndNothingElse() {
        Account account = Account.register("down");
        Traffic traffic = Traffic.start(() -> given().auth().oauth2(account.token()).when().get("/api/rag/collections").statusCode());
        Suite.get().kill("cache-service");
        try {
            for (int i = 0; i < 5; i++) {
                long started = System.nanoTime();
                given().auth().oauth2(admin).when().get("/api/cache/faults/anything")
                        .then().statusCode(503).contentType("application/problem+json");
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
            }
            given().auth().oauth2(account.token()).when().get("/api/auth/me").then().statusCode(200);
        } finally {
            Suite.get().start("cache-service");
        }
        assertThat(traffic.stop().keySet()).as("rag-service's answers meanwhile").containsOnly(200);
        await(() -> given().auth().oauth2(admin).when().get("/api/cache/faults/anything").statusCode() == 404,
                "cache-service answering again (404: no such key)");
    }

    @Test
    void afterPostgresqlRestartsTheServicesRecoverWithoutARestart() {
        Account account = Account.register("pg");
        Suite.get().postgresProxy.cut();
        Suite.sleep(3000); // the outage: every pooled connection is broken meanwhile
        Suite.get().postgresProxy.restore();
        await(() -> given().contentType(ContentType.JSON).body(Map.of("email", account.email(), "password", account.password()))
                .when().post("/api/auth/login").statusCode() == 200, "login after PostgreSQL returns");
        await(() -> given().auth().oauth2(account.token()).contentType(ContentType.JSON).body(Map.of("name", "after restart"))
                .when().post("/api/rag/collections").statusCode() == 201, "a collection written after PostgreSQL returns");
        await(() -> given().auth().oauth2(account.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "a", "instructions", "b")).when().post("/api/agents").statusCode() == 201,
                "an agent written after PostgreSQL returns");
    }

    /**
     * The fault run: each dependency in turn is cut for 30 s with work accepted just before and requests going on; every
     * piece of work ends once afterwards and no dead-letter topic grows. What the requests got and how long the work
     * took to end after the cut are logged (docs/performance.md).
     */
    @ParameterizedTest(name = "{0} away for 30 s")
    @ValueSource(strings = { "postgres", "kafka", "redis", "smtp" })
    void workInFlightWhenADependencyGoesAwayForThirtySecondsEndsOnceWithNothingDeadLettered(String dependency) {
        Map<String, Long> deadBefore = deadLettered();
        Account account = Account.register("outage");
        Mails.verify(account.email()); // run notices go only to a proved address
        String agent = given().auth().oauth2(account.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "Counter", "instructions", "Compute.", "tools", List.of("calculator")))
                .when().post("/api/agents").then().statusCode(201).extract().path("id");
        String collection = given().auth().oauth2(account.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "Through an outage")).when().post("/api/rag/collections").then().statusCode(201)
                .extract().path("id");
        Account leaving = Account.register("leaving");
        String leavingId = given().auth().oauth2(leaving.token()).when().get("/api/auth/me").then().statusCode(200)
                .extract().path("id");
        given().auth().oauth2(leaving.token()).contentType(ContentType.JSON).body(Map.of("name", "to be deleted"))
                .when().post("/api/rag/collections").then().statusCode(201);

        // work accepted just before the database goes: ingestions, runs, mails and a user's deletion
        List<String> documents = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            documents.add(given().auth().oauth2(account.token()).contentType(ContentType.JSON)
                    .body(Map.of("title", "Tides " + i, "text", "Spring tides follow the new and the full moon, " + i + "."))
                    .when().post("/api/rag/collections/" + collection + "/documents").then().statusCode(202)
                    .extract().path("id"));
        }
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(given().auth().oauth2(account.token()).contentType(ContentType.JSON)
                    .body(Map.of("input", "calc: " + i + " * 10", "async", true, "notify", true))
                    .when().post("/api/agents/" + agent + "/runs").then().statusCode(202).extract().path("id"));
        }
        List<Account> newcomers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            newcomers.add(Account.register("newcomer"));
        }
        given().auth().oauth2(admin).when().delete("/api/auth/users/" + leavingId).then().statusCode(204);
        TcpProxy proxy = switch (dependency) {
            case "postgres" -> Suite.get().postgresProxy;
            case "kafka" -> Suite.get().kafkaProxy;
            case "redis" -> Suite.get().redisProxy;
            case "smtp" -> Suite.get().smtp.proxy();
            default -> throw new IllegalArgumentException(dependency);
        };
        Traffic reads = Traffic.start(() -> given().auth().oauth2(account.token()).when()
                .get("/api/rag/collections/" + collection).statusCode());
        proxy.cut();
        try {
            Suite.sleep(30_000);
        } finally {
            proxy.restore();
        }
        long restored = System.nanoTime();
        Map<Integer, Integer> during = reads.stop();

        for (String document : documents) {
            assertThat(Waits.indexed(account.token(), document)).isEqualTo("INDEXED");
        }
        for (int i = 0; i < runs.size(); i++) {
            JsonPath run = awaitRun(account.token(), runs.get(i));
            assertThat(run.getString("status")).as("run %s", runs.get(i)).isEqualTo("SUCCEEDED");
            assertThat(run.getString("output")).isEqualTo("Result: " + i * 10);
        }
        for (Account newcomer : newcomers) { // each verification mail once
            Mails.awaitMessages(newcomer.email(), 1);
        }
        Mails.awaitMessages(account.email(), 2 + runs.size()); // verification, welcome, one notice per run
        for (Account newcomer : newcomers) {
            Mails.assertStays(newcomer.email(), 1, Duration.ofSeconds(1));
        }
        Mails.assertStays(account.email(), 2 + runs.size(), Duration.ofSeconds(1));
        await(() -> given().auth().oauth2(admin).when().get("/api/rag/admin/usage/" + leavingId).then().extract()
                .<Integer>path("collections") == 0, "the deleted user's collections gone");
        System.out.printf("fault run, %s away 30 s: reads of a collection meanwhile answered %s; every document, run, "
                + "mail and the deletion ended %d ms after it came back%n", dependency, during,
                Duration.ofNanos(System.nanoTime() - restored).toMillis());
        assertThat(deadLettered()).as("records in each dead-letter topic").isEqualTo(deadBefore);
        if (dependency.equals("postgres")) { // the reads need it: a clear 503 while it is away, never a 500
            assertThat(during.keySet()).as("reads while PostgreSQL was away").isSubsetOf(200, 503);
        } else {
            assertThat(during.keySet()).as("reads while %s was away", dependency).containsOnly(200);
        }
    }

    /** Records each dead-letter topic of each service ever held, by "service topic". */
    private static Map<String, Long> deadLettered() {
        JsonPath answer = given().auth().oauth2(admin).when().get("/api/admin/dead-letters").then().statusCode(200)
                .extract().jsonPath();
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (String service : answer.<String, Object>getMap("").keySet()) {
            List<Map<String, Object>> topics = answer.getList("'" + service + "'.value");
            assertThat(topics).as("dead-letter topics of %s (%s)", service, answer.getString("'" + service + "'.error"))
                    .isNotNull();
            for (Map<String, Object> topic : topics) {
                counts.put(service + " " + topic.get("topic"), ((Number) topic.get("deadLettered")).longValue());
            }
        }
        assertThat(counts).isNotEmpty();
        return counts;
    }

    @Test
    void withTwoReplicasOfEmailAndAgentServiceEveryMailAndEveryRunHappensOnce() {
        Account account = Account.register("replicas");
        Mails.verify(account.email()); // run notices go only to a proved address
        String agent = given().auth().oauth2(account.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "Counter", "instructions", "Compute.", "tools", List.of("calculator")))
                .when().post("/api/agents").then().statusCode(201).extract().path("id");
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            runs.add(given().auth().oauth2(account.token()).contentType(ContentType.JSON)
                    .body(Map.of("input", "calc: " + i + " * 10", "async", true, "notify", true))
                    .when().post("/api/agents/" + agent + "/runs").then().statusCode(202).extract().path("id"));
        }
        for (int i = 0; i < runs.size(); i++) {
            String id = runs.get(i);
            JsonPath run = awaitRun(account.token(), id);
            assertThat(run.getString("status")).isEqualTo("SUCCEEDED");
            assertThat(run.getInt("attempts")).isEqualTo(1);
            assertThat(run.getList("steps")).hasSize(3);
            assertThat(run.getString("output")).isEqualTo("Result: " + i * 10);
        }
        Mails.awaitMessages(account.email(), 2 + runs.size());
        Mails.assertStays(account.email(), 2 + runs.size(), Duration.ofSeconds(2)); // verification, welcome, one per run
    }

    private static JsonPath awaitRun(String token, String id) {
        return Waits.runEnded(token, id);
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition, String what) {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(condition);
    }

    /** A registered user with a token. */
    record Account(String email, String password, String token) {
        static Account register(String tag) {
            String email = tag + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
            String password = "Fault tolerant " + UUID.randomUUID();
            given().contentType(ContentType.JSON).body(Map.of("email", email, "password", password, "displayName", tag))
                    .when().post("/api/auth/register").then().statusCode(201);
            return new Account(email, password, AccountJourneyTest.login(email, password).getString("accessToken"));
        }
    }

    /** Requests in a loop on a thread of their own while a fault goes on; counts the statuses. */
    static final class Traffic {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        private final Thread thread;

        private Traffic(java.util.function.IntSupplier request) {
            thread = Thread.ofPlatform().daemon().start(() -> {
                while (running.get()) {
                    statuses.merge(request.getAsInt(), 1, Integer::sum);
                    Suite.sleep(50);
                }
            });
        }

        static Traffic start(java.util.function.IntSupplier request) {
            return new Traffic(request);
        }

        Map<Integer, Integer> stop() {
            running.set(false);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Map.copyOf(statuses);
        }
    }
}
