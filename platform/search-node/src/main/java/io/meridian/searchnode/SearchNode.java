package io.meridian.searchnode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * One OpenSearch node on loopback, for the local stack and the tests: single-node discovery, data under the given
 * directory, HTTP on the given port, the Netty transport, the common analysis module (language analyzers), reindex
 * (delete by query), Painless
 * and the k-NN plugin loaded from the class path
 * (vector fields must name the Lucene engine: the native ones are not in the Maven artifact). Stops on SIGTERM.
 * <p>
 * Usage: {@code SearchNode <home directory> <http port> [<transport port>]}; the JVM needs
 * {@code --add-modules jdk.incubator.vector}.
 */
public final class SearchNode extends Node {

    /** The plugins, by name: the k-NN plugin is on the class path from its unpacked zip, not at compile time. */
    private static final List<String> PLUGINS = List.of("org.opensearch.transport.Netty4Plugin",
            "org.opensearch.analysis.common.CommonAnalysisPlugin", "org.opensearch.index.reindex.ReindexPlugin",
            "org.opensearch.painless.PainlessPlugin",
            "org.opensearch.knn.plugin.KNNPlugin");

    private SearchNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        super(environment, plugins, true);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: SearchNode <home directory> <http port> [<transport port>]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int httpPort = Integer.parseInt(args[1]);
        String transportPort = args.length > 2 ? args[2] : String.valueOf(httpPort + 100);
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("config"));
        Settings settings = Settings.builder()
                .put("cluster.name", "meridian")
                .put("node.name", "meridian-search")
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("network.host", "127.0.0.1")
                .put("http.port", httpPort)
                .put("transport.port", transportPort)
                .put("discovery.type", "single-node")
                // a write to an index that is not there (a dropped one) fails instead of creating it without mappings
                .put("action.auto_create_index", false)
                // a developer's disk is often fuller than a server's: do not turn indexes read-only for that
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .build();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), home.resolve("config"),
                () -> "meridian-search");
        SearchNode node = new SearchNode(environment, plugins());
        node.start();
        System.out.println("OpenSearch node ready on http://127.0.0.1:" + httpPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (IOException e) {
                System.err.println("closing the node: " + e);
            } finally {
                stopped.countDown();
            }
        }, "search-node-stop"));
        stopped.await();
    }

    @SuppressWarnings("unchecked")
    private static Collection<Class<? extends Plugin>> plugins() throws ClassNotFoundException {
        List<Class<? extends Plugin>> plugins = new ArrayList<>();
        for (String name : PLUGINS) {
            plugins.add((Class<? extends Plugin>) Class.forName(name));
        }
        return plugins;
    }
}
