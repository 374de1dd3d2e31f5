package io.meridian.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A Redis server of a test run's own, from the machine's {@code redis-server} (Debian's package, as in production
 * images), on a free loopback port, with a memory budget of its own: what a deployment runs as the separate Redis for
 * cache data, so that a test can fill it without touching the Redis that holds security state.
 */
public final class RedisServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private RedisServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts one with {@code maxMemory} (Redis' syntax, for example {@code 32mb}) and the given eviction policy. */
    public static RedisServer start(String maxMemory, String evictionPolicy) {
        String binary = System.getenv().getOrDefault("MERIDIAN_REDIS_SERVER", "redis-server");
        int port = FreePorts.next();
        try {
            Path log = Files.createTempFile("meridian-test-redis-", ".log");
            Process process = new ProcessBuilder(List.of(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--maxmemory", maxMemory, "--maxmemory-policy", evictionPolicy))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            RedisServer server = new RedisServer(process, port, log);
            server.awaitPort(Duration.ofSeconds(20));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + binary + " (install Debian's redis-server)", e);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    private void awaitPort(Duration within) throws IOException {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited: " + Files.readString(log));
            }
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while redis-server started", e);
                }
            }
        }
        throw new IOException("redis-server did not open port " + port + " within " + within);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // a temporary file left behind
        }
    }
}
