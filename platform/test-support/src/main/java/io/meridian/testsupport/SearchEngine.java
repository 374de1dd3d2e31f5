package io.meridian.testsupport;

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
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSearch node (the {@code platform/search-node} module: OpenSearch 2.19 with the k-NN plugin's Lucene
 * engine, from Maven Central jars) in a JVM of its own on loopback, for tests: a throw-away data directory, free
 * ports, a bounded heap. It must run outside the test's JVM: its Netty, Jackson and Guava are not the services'.
 * <p>
 * The module is found from the working directory upwards ({@code platform/search-node/target}, built by the reactor
 * before any module that tests with it), or at {@code MERIDIAN_SEARCH_NODE_HOME}.
 */
public final class SearchEngine implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final Path home;
    private final int port;

    private SearchEngine(Process process, Path home, int port) {
        this.process = process;
        this.home = home;
        this.port = port;
    }

    /** Starts a node on a free port with a temporary directory, and waits until it answers. */
    public static SearchEngine startTemporary() {
        int port = FreePorts.next();
        try {
            Path home = Files.createTempDirectory("meridian-search-");
            Process process = new ProcessBuilder(command(home, port, FreePorts.next()))
                    .redirectErrorStream(true)
                    .redirectOutput(home.resolve("node.log").toFile())
                    .start();
            SearchEngine engine = new SearchEngine(process, home, port);
            Runtime.getRuntime().addShutdownHook(new Thread(engine::close, "search-engine-stop"));
            engine.awaitReady();
            return engine;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the OpenSearch node", e);
        }
    }

    /** The node's HTTP address, {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The command that runs a node with its data under {@code home}: what {@code ./meridian} runs too. */
    static List<String> command(Path home, int httpPort, int transportPort) {
        Path module = moduleDirectory().resolve("target");
        Path classpathFile = module.resolve("node.classpath");
        if (!Files.isRegularFile(classpathFile) || !Files.isDirectory(module.resolve("classes"))) {
            throw new IllegalStateException(module + " is not built: build platform/search-node first (the reactor "
                    + "builds it before the services)");
        }
        List<String> classpath = new ArrayList<>();
        classpath.add(module.resolve("classes").toString());
        classpath.add(module.resolve("knn").toString() + "/*");
        try {
            classpath.add(Files.readString(classpathFile).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xms256m", "-Xmx512m", "-XX:+UseSerialGC",
                "-Dlog4j2.disable.jmx=true", "-Djava.awt.headless=true",
                "-cp", String.join(java.io.File.pathSeparator, classpath),
                "io.meridian.searchnode.SearchNode", home.toString(), String.valueOf(httpPort),
                String.valueOf(transportPort));
    }

    private static Path moduleDirectory() {
        String configured = System.getenv("MERIDIAN_SEARCH_NODE_HOME");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("platform/search-node");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("platform/search-node not found above " + Path.of("").toAbsolutePath()
                + "; set MERIDIAN_SEARCH_NODE_HOME");
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(url() + "/_cluster/health?wait_for_status=yellow&timeout=5s"))
                .timeout(Duration.ofSeconds(10)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the OpenSearch node exited; its log: " + tail());
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
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
        throw new IllegalStateException("the OpenSearch node was not ready within " + START_TIMEOUT + "; its log: " + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(home.resolve("node.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return home.resolve("node.log").toString();
        }
    }

    @Override
    public synchronized void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        KafkaBroker.deleteRecursively(home);
    }
}
