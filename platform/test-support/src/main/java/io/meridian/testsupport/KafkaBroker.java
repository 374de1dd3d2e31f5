package io.meridian.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) on loopback.
 * <p>
 * Tests start it in-process on free ports with a temporary log directory that {@link #close()} deletes. The
 * local stack runs it in its own JVM through {@link #main(String[])} with a fixed port and a kept directory,
 * so topics and offsets survive a restart.
 * <p>
 * Clients may be told to reach the broker at another port ({@code advertisedPort}), which lets a
 * {@link TcpProxy} stand between clients and broker to simulate an outage.
 */
public final class KafkaBroker implements AutoCloseable {

    private final KafkaRaftServer server;
    private final Path logDir;
    private final boolean deleteOnClose;
    private final int port;
    private final int advertisedPort;

    private KafkaBroker(KafkaRaftServer server, Path logDir, boolean deleteOnClose, int port, int advertisedPort) {
        this.server = server;
        this.logDir = logDir;
        this.deleteOnClose = deleteOnClose;
        this.port = port;
        this.advertisedPort = advertisedPort;
    }

    /** Starts a throw-away broker on free ports; its directory goes on {@link #close()}. */
    public static KafkaBroker startTemporary() {
        int port = FreePorts.next();
        return startTemporary(port, port);
    }

    /** Starts a throw-away broker listening on {@code port} that tells clients to connect to {@code advertisedPort}. */
    public static KafkaBroker startTemporary(int port, int advertisedPort) {
        try {
            Path dir = Files.createTempDirectory("meridian-kafka-");
            return start(dir, port, advertisedPort, FreePorts.next(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a broker whose data lives in {@code dataDir}; formats the directory the first time only.
     */
    public static KafkaBroker start(Path dataDir, int port, int advertisedPort, int controllerPort, boolean deleteOnClose) {
        try {
            Files.createDirectories(dataDir);
            Path logDir = dataDir.resolve("logs");
            Path configFile = dataDir.resolve("server.properties");
            Properties props = brokerProperties(logDir, port, advertisedPort, controllerPort);
            try (var out = Files.newBufferedWriter(configFile)) {
                props.store(out, "Meridian single-node KRaft broker");
            }
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(configFile);
            }
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
            return new KafkaBroker(server, dataDir, deleteOnClose, port, advertisedPort);
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the Kafka data directory " + dataDir, e);
        }
    }

    static Properties brokerProperties(Path logDir, int port, int advertisedPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + advertisedPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("num.partitions", "3");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("log.flush.interval.messages", "1");
        return p;
    }

    private static void format(Path configFile) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code = kafka.tools.StorageTool.execute(
                new String[] { "format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString() },
                new PrintStream(output, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new IllegalStateException("Kafka storage format failed: " + output.toString(StandardCharsets.UTF_8));
        }
    }

    /** Where clients connect: host and advertised port. */
    public String bootstrapServers() {
        return "127.0.0.1:" + advertisedPort;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (deleteOnClose) {
            deleteRecursively(logDir);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the broker in its own JVM for the local stack: {@code KafkaBroker <dataDir> <port> <controllerPort>}.
     * Stops cleanly on SIGTERM or Ctrl-C.
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: KafkaBroker <dataDir> <port> <controllerPort>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        KafkaBroker broker = start(Path.of(args[0]), port, port, Integer.parseInt(args[2]), false);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "kafka-shutdown"));
        System.out.println("Kafka broker ready on " + broker.bootstrapServers());
        stopped.await();
    }
}
