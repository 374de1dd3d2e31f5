package io.meridian.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The models agent-service talks to, on loopback: two scripted OpenAI-compatible models ({@code primary}, the default
 * for fast and smart, and {@code fallback}, fast only). rag-service gets a free port, where {@link RealRagService}
 * starts the real one for the tests that need it.
 */
public class StandIns implements QuarkusTestResourceLifecycleManager {

    static ModelStandIn primary;
    static ModelStandIn fallback;
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        primary = new ModelStandIn(server, "primary");
        fallback = new ModelStandIn(server, "fallback");
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        Map<String, String> config = new HashMap<>();
        config.putAll(ModelStandIn.config("primary", base + "/primary/v1"));
        config.putAll(ModelStandIn.config("fallback", base + "/fallback/v1"));
        config.put("meridian.agent.rag-url", "http://127.0.0.1:" + io.meridian.testsupport.FreePorts.next());
        return config;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
