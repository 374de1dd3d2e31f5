package io.meridian.rag;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * An OpenAI-compatible chat endpoint on loopback: it records every request and answers, whole or streamed, with a
 * text that cites sources [1] and [2], in four pieces when streaming; a question containing {@code [hang]} is answered
 * after 6 s.
 */
public class ChatModelStandIn implements QuarkusTestResourceLifecycleManager {

    static final String MODEL = "stand-in-model";
    static final List<String> PIECES = List.of("The answer ", "is in source [1] ", "and in source [2]", ".");
    static final List<String> REQUESTS = new CopyOnWriteArrayList<>();

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/chat/completions", this::complete);
        server.start();
        return Map.of("meridian.rag.chat.provider", "openai",
                "meridian.rag.chat.base-url", "http://127.0.0.1:" + server.getAddress().getPort() + "/v1",
                "meridian.rag.chat.api-key", "test-key",
                "meridian.rag.chat.model", MODEL);
    }

    private void complete(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        REQUESTS.add(body);
        if (body.contains("[hang]")) {
            try {
                Thread.sleep(6_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (body.replace(" ", "").contains("\"stream\":true")) {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (String piece : PIECES) {
                    out.write(("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + MODEL
                            + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + piece
                            + "\"},\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                out.write(("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + MODEL
                        + "\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":12,\"total_tokens\":132}}\n\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        byte[] answer = ("{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + MODEL + "\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + String.join("", PIECES)
                + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":12,"
                + "\"total_tokens\":132}}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
