package io.meridian.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.meridian.testsupport.ClosingUpstream;
import io.meridian.testsupport.FreePorts;
import io.meridian.testsupport.KafkaBroker;
import io.meridian.testsupport.PostgresSchema;
import io.meridian.testsupport.RedisServer;
import io.meridian.testsupport.SearchEngine;
import io.meridian.testsupport.SmtpServer;
import io.meridian.testsupport.TcpProxy;

/**
 * The whole platform for end-to-end tests, started once per test run: a Kafka broker (in this JVM), an OpenSearch
 * node (in a JVM of its own), an SMTP server,
 * a fresh schema per service in the local PostgreSQL, a Redis database of its own, and the six packaged services
 * ({@code <service>/target/quarkus-app}) as processes of their own on free ports, wired to each other as in
 * production. Tests talk to the gateway only. Everything stops when the test JVM exits; each service's log is kept
 * under {@code e2e-tests/target/suite-logs/}. One setting differs from production: every test user comes from
 * 127.0.0.1, so the gateway's strict classes (login, register, password reset) get room for a test run's worth of
 * accounts; the limits themselves are proven by the gateway's own tests.
 */
final class Suite {

    static final String ADMIN_EMAIL = "admin@e2e.meridian.local";
    static final String ADMIN_PASSWORD = "e2e-admin-" + Long.toHexString(System.nanoTime());
    /** The key auth-service seals one-time links with and email-service opens them with (theirs alone). */
    private static final String MAIL_LINK_KEY = Base64.getEncoder().encodeToString(randomKey());
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Instances: agent-service and email-service run twice (replicas on the same topics and schema), as scaled out. */
    private static final List<String> SERVICES = List.of("auth-service", "rag-service", "agent-service", "agent-service-2",
            "cache-service", "email-service", "email-service-2", "gateway");
    private static final int REDIS_DATABASE = 3;
    private static Suite running;
    private static RuntimeException failed;

    final Map<String, Integer> ports = new LinkedHashMap<>();
    /** The gateway's management interface (probes, metrics), which the public port does not serve. */
    final int gatewayManagementPort = FreePorts.next();
    final Map<String, Process> processes = new LinkedHashMap<>();
    final List<PostgresSchema> schemas = new ArrayList<>();
    private final Map<String, List<String>> commands = new LinkedHashMap<>();
    private final Map<String, String> schemaOf = new LinkedHashMap<>();
    final KafkaBroker kafka;
    /** In front of Kafka, PostgreSQL and Redis, so that a fault test can take one away from every service at once. */
    final TcpProxy kafkaProxy;
    final TcpProxy postgresProxy;
    final TcpProxy redisProxy;
    /** cache-service's entries, in a Redis of their own as deployments run it (ADR 0014). */
    final RedisServer cacheRedis;
    final TcpProxy cacheRedisProxy;
    /** Between the gateway and auth-service's JWKS, so that a test can make it hang for the gateway alone. */
    final TcpProxy jwksProxy;
    /** The OpenSearch node rag-service indexes into, in a JVM of its own. */
    final SearchEngine search;
    final SmtpServer smtp;
    final ChatModelStandIn model;
    /** Behind the gateway's "closing" route: closes every kept-alive connection under its fourth request. */
    final ClosingUpstream closing;
    final Path logs = ROOT.resolve("e2e-tests/target/suite-logs");

    static synchronized Suite get() {
        if (failed != null) {
            throw failed; // once: a second start would delete the logs that tell why the first one failed
        }
        if (running == null) {
            try {
                running = new Suite();
            } catch (RuntimeException e) {
                failed = e;
                throw e;
            }
        }
        return running;
    }

    private Suite() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "suite-stop")); // also after a failed start
        for (String service : SERVICES) {
            Path jar = jar(service(service));
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: package the services first (./mvnw package, or the "
                        + "whole build, which packages them before this module)");
            }
            ports.put(service, FreePorts.next());
        }
        int kafkaPort = FreePorts.next();
        int advertisedPort = FreePorts.next();
        kafkaProxy = TcpProxy.start("kafka", advertisedPort, "127.0.0.1", kafkaPort);
        kafka = KafkaBroker.startTemporary(kafkaPort, advertisedPort);
        flushRedis(REDIS_DATABASE);
        postgresProxy = TcpProxy.start("postgres", 0, PostgresSchema.host(), PostgresSchema.port());
        redisProxy = TcpProxy.start("redis", 0, "127.0.0.1", 6379);
        cacheRedis = RedisServer.start("64mb", "volatile-ttl");
        cacheRedisProxy = TcpProxy.start("cache-redis", 0, "127.0.0.1", cacheRedis.port());
        jwksProxy = TcpProxy.start("jwks", 0, "127.0.0.1", ports.get("auth-service"));
        search = SearchEngine.startTemporary();
        smtp = SmtpServer.start();
        model = new ChatModelStandIn();
        try {
            closing = new ClosingUpstream(3);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.createDirectories(logs);
            for (String instance : SERVICES) {
                Files.deleteIfExists(logs.resolve(instance + ".log"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // First one instance of each service, then the second replicas: two instances migrating an empty schema at
        // once can both try to create Liquibase's own tables, and one then exits (a first deployment in Kubernetes
        // restarts that pod; here it would end the run).
        List<String> first = SERVICES.stream().filter(i -> i.equals(service(i))).toList();
        List<String> replicas = SERVICES.stream().filter(i -> !i.equals(service(i))).toList();
        for (String service : first) {
            processes.put(service, launch(service));
        }
        awaitReady(first, Duration.ofSeconds(300));
        for (String replica : replicas) {
            processes.put(replica, launch(replica));
        }
        awaitReady(replicas, Duration.ofSeconds(180));
    }

    String gateway() {
        return url("gateway");
    }

    String url(String service) {
        return "http://127.0.0.1:" + ports.get(service);
    }

    /** Stops one instance, as a crash would (SIGKILL); {@link #start} brings it back on the same port. */
    void kill(String instance) {
        Process process = processes.get(instance);
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void start(String instance) {
        processes.put(instance, run(instance));
        awaitReady(List.of(instance), Duration.ofSeconds(120));
    }

    private static String service(String instance) {
        return instance.replaceAll("-\\d+$", "");
    }

    private Process launch(String instance) {
        String service = service(instance);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", service.equals("rag-service") ? "-Xmx512m" : "-Xmx320m", "-XX:+UseSerialGC",
                "-Dquarkus.http.port=" + ports.get(instance),
                "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "-Dquarkus.redis.hosts=redis://127.0.0.1:" + redisProxy.port() + "/" + REDIS_DATABASE,
                "-Dmp.jwt.verify.publickey.location=" + (service.equals("gateway")
                        ? "http://127.0.0.1:" + jwksProxy.port() : url("auth-service")) + "/.well-known/jwks.json",
                "-Dmp.jwt.verify.issuer=" + gateway(),
                "-Dmeridian.cache-client.url=" + url("cache-service"),
                "-Dquarkus.redis.cache.hosts=redis://127.0.0.1:" + cacheRedisProxy.port()));
        if (!service.equals("gateway")) {
            if (!schemaOf.containsKey(service)) { // replicas share their service's schema
                PostgresSchema created = PostgresSchema.create("e2e" + service.replace("-service", ""));
                schemas.add(created);
                schemaOf.put(service, created.name());
            }
            command.addAll(List.of(
                    "-Dquarkus.datasource.jdbc.url=" + PostgresSchema.jdbcUrl("127.0.0.1", postgresProxy.port()),
                    "-Dquarkus.datasource.username=" + PostgresSchema.user(),
                    "-Dquarkus.datasource.password=" + PostgresSchema.password(),
                    "-Dmeridian.db.schema=" + schemaOf.get(service)));
        }
        switch (service) {
            case "auth-service" -> command.addAll(List.of(
                    "-Dmeridian.auth.keys.encryption-key=" + Base64.getEncoder().encodeToString(new byte[32]),
                    "-Dmeridian.auth.bootstrap-admin.email=" + ADMIN_EMAIL,
                    "-Dmeridian.auth.bootstrap-admin.password=" + ADMIN_PASSWORD,
                    "-Dmeridian.auth.mail-link-key=" + MAIL_LINK_KEY,
                    // the load test refreshes the same sessions far more often than a client would
                    "-Dmeridian.auth.throttle.refreshes-per-session-per-hour=100000"));
            case "email-service" -> command.addAll(List.of(
                    "-Dquarkus.mailer.host=127.0.0.1", "-Dquarkus.mailer.port=" + smtp.proxy().port(),
                    "-Dquarkus.mailer.start-tls=DISABLED", "-Dmeridian.email.public-base-url=" + gateway(),
                    "-Dmeridian.email.mail-link-key=" + MAIL_LINK_KEY,
                    "-Dmeridian.email.first-retry-delay=PT2S")); // a retried mail within the test's patience
            case "agent-service" -> command.addAll(List.of("-Dmeridian.agent.rag-url=" + url("rag-service"),
                    "-Dmeridian.agent.models.primary.provider=openai",
                    "-Dmeridian.agent.models.primary.base-url=" + model.baseUrl(),
                    "-Dmeridian.agent.models.primary.api-key=e2e", "-Dmeridian.agent.models.primary.name=e2e"));
            case "rag-service" -> command.addAll(List.of("-Dmeridian.rag.engine.hosts=" + search.url(),
                    "-Dmeridian.rag.chat.provider=openai",
                    "-Dmeridian.rag.chat.base-url=" + model.baseUrl(), "-Dmeridian.rag.chat.api-key=e2e",
                    "-Dmeridian.rag.chat.model=e2e"));
            case "gateway" -> {
                for (String target : List.of("auth", "rag", "agent", "cache", "email")) {
                    String instances = ports.keySet().stream().filter(i -> service(i).equals(target + "-service"))
                            .map(this::url).collect(java.util.stream.Collectors.joining(","));
                    command.add("-Dmeridian.gateway.routes." + target + ".url=" + instances);
                }
                // The stand-in ingress of the hostile tests connects from 127.0.0.2; test clients are 127.0.0.1.
                command.add("-Dmeridian.gateway.trusted-proxies=127.0.0.2");
                command.add("-Dquarkus.management.port=" + gatewayManagementPort);
                // a route to a server that closes kept-alive connections under requests (HostileEdgeTest)
                command.add("-Dmeridian.gateway.routes.closing.url=http://127.0.0.1:" + closing.port());
                command.add("-Dmeridian.gateway.routes.closing.prefixes=/api/closing");
                command.add("-Dmeridian.gateway.routes.closing.health-path=/api/closing/health");
                // GraphQL's own pool small enough that one user's slow asks fill it (HostileEdgeTest)
                command.add("-Dmeridian.gateway.graphql-max-connections=4");
                for (String strict : List.of("login", "register", "password-reset")) {
                    command.add("-Dmeridian.gateway.rate-limits." + strict + ".capacity=1000");
                    command.add("-Dmeridian.gateway.rate-limits." + strict + ".refill-per-second=50");
                }
            }
            default -> {
            }
        }
        command.addAll(List.of("-jar", jar(service).toString()));
        commands.put(instance, command);
        return run(instance);
    }

    private Process run(String instance) {
        try {
            return new ProcessBuilder(commands.get(instance)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(instance + ".log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + instance, e);
        }
    }

    private void awaitReady(List<String> instances, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        List<String> pending = new ArrayList<>(instances);
        while (!pending.isEmpty()) {
            for (String service : List.copyOf(pending)) {
                if (!processes.get(service).isAlive()) {
                    throw new IllegalStateException(service + " exited; its log: " + logs.resolve(service + ".log"));
                }
                try {
                    String health = service.equals("gateway") ? "http://127.0.0.1:" + gatewayManagementPort : url(service);
                    if (http.send(HttpRequest.newBuilder(URI.create(health + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        pending.remove(service);
                    }
                } catch (IOException e) {
                    // not listening yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("not ready within " + timeout + ": " + pending + " (logs in " + logs + ")");
            }
            sleep(500);
        }
    }

    private void stop() {
        List<String> reversed = new ArrayList<>(processes.keySet());
        java.util.Collections.reverse(reversed);
        for (String service : reversed) {
            processes.get(service).destroy();
        }
        for (String service : reversed) {
            try {
                if (!processes.get(service).waitFor(20, TimeUnit.SECONDS)) {
                    processes.get(service).destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // null-safe: the hook runs after a start that failed half-way too
        for (AutoCloseable part : java.util.Arrays.asList(smtp, model, closing, search, kafka, kafkaProxy, postgresProxy,
                redisProxy, cacheRedisProxy, cacheRedis, jwksProxy)) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception e) {
                    // stopping anyway
                }
            }
        }
        schemas.forEach(PostgresSchema::drop);
    }

    /** The suite's own Redis database starts empty: no rate-limit buckets or cache entries of an earlier run. */
    private static void flushRedis(int database) {
        try (java.net.Socket redis = new java.net.Socket("127.0.0.1", 6379)) {
            redis.getOutputStream().write(("SELECT " + database + "\r\nFLUSHDB\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            redis.getOutputStream().flush();
            byte[] reply = new byte[10];
            int read = 0;
            while (read < 10) { // "+OK\r\n+OK\r\n"
                int n = redis.getInputStream().read(reply, read, reply.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Redis is needed on 127.0.0.1:6379", e);
        }
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return key;
    }

    private static Path jar(String service) {
        return ROOT.resolve(service + "/target/quarkus-app/quarkus-run.jar");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
