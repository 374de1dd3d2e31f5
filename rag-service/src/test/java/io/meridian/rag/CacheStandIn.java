package io.meridian.rag;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * cache-service's entry API on loopback, in memory: enough to see what rag-service stores, under which key and with
 * whose token, and how often it reads it back. (cache-service itself is tested in its own module.)
 */
public class CacheStandIn implements QuarkusTestResourceLifecycleManager {

    record Entry(byte[] value, String contentType, String authorization) {
    }

    static final Map<String, Entry> ENTRIES = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> HITS = new ConcurrentHashMap<>();

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/api/cache/", this::entry);
        server.start();
        return Map.of("meridian.cache-client.url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void entry(HttpExchange exchange) throws IOException {
        String key = exchange.getRequestURI().getPath().substring("/api/cache/".length());
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        switch (exchange.getRequestMethod()) {
            case "PUT" -> {
                ENTRIES.put(key, new Entry(exchange.getRequestBody().readAllBytes(),
                        exchange.getRequestHeaders().getFirst("Content-Type"), authorization));
                exchange.sendResponseHeaders(204, -1);
            }
            case "GET" -> {
                Entry entry = ENTRIES.get(key);
                if (entry == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                HITS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                exchange.getResponseHeaders().add("Content-Type", entry.contentType());
                exchange.sendResponseHeaders(200, entry.value().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(entry.value());
                }
            }
            default -> exchange.sendResponseHeaders(405, -1);
        }
        exchange.close();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
