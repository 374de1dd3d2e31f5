package io.meridian.agent;

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
import java.util.List;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import io.meridian.testsupport.PostgresSchema;
import io.meridian.testsupport.SearchEngine;

/**
 * The real rag-service, its packaged application started as a process of its own on the port agent-service's
 * knowledge_search calls, with a fresh schema, an OpenSearch node of its own, the tests' Kafka broker and Redis, and
 * trusting the tests' signing key:
 * so the tool is proven against rag-service's own ownership rules, not a copy of them.
 */
final class RealRagService implements AutoCloseable {

    private static final Path JAR = Path.of("../rag-service/target/quarkus-app/quarkus-run.jar");

    private final Process process;
    private final PostgresSchema schema;
    private final SearchEngine search;
    private final String url;

    private RealRagService(Process process, PostgresSchema schema, SearchEngine search, String url) {
        this.process = process;
        this.schema = schema;
        this.search = search;
        this.url = url;
    }

    /** Starts rag-service where agent-service expects it ({@code meridian.agent.rag-url}) and waits until it is ready. */
    static RealRagService start() {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: package rag-service first "
                    + "(./mvnw -pl rag-service -am package -DskipTests, or the whole build)");
        }
        Config config = ConfigProvider.getConfig();
        String url = config.getValue("meridian.agent.rag-url", String.class);
        PostgresSchema schema = PostgresSchema.create("ragforagent");
        SearchEngine search = SearchEngine.startTemporary(); // rag-service's index
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC",
                "-Dquarkus.http.port=" + URI.create(url).getPort(),
                "-Dquarkus.datasource.jdbc.url=" + PostgresSchema.jdbcUrl(PostgresSchema.host(), PostgresSchema.port()),
                "-Dquarkus.datasource.username=" + PostgresSchema.user(),
                "-Dquarkus.datasource.password=" + PostgresSchema.password(),
                "-Dmeridian.db.schema=" + schema.name(),
                "-Dkafka.bootstrap.servers=" + config.getValue("kafka.bootstrap.servers", String.class),
                "-Dquarkus.redis.hosts=" + config.getValue("quarkus.redis.hosts", String.class),
                "-Dmp.jwt.verify.publickey.location=" + config.getValue("mp.jwt.verify.publickey.location", String.class),
                "-Dmeridian.rag.cache.enabled=false",
                "-Dmeridian.rag.engine.hosts=" + search.url(),
                "-jar", JAR.toAbsolutePath().toString()));
        try {
            Path log = Files.createTempFile("rag-service-for-agent-tests-", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            RealRagService rag = new RealRagService(process, schema, search, url);
            rag.awaitReady(log);
            return rag;
        } catch (IOException e) {
            schema.drop();
            search.close();
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return url;
    }

    private void awaitReady(Path log) {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("rag-service exited: " + tail(log));
            }
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("rag-service was not ready within 120 s: " + tail(log));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        schema.drop();
        search.close();
    }
}
