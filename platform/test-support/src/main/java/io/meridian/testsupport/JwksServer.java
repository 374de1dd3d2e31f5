package io.meridian.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.lang.JoseException;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Publishes the test keys as a JWKS over HTTP, as auth-service does, for services that verify tokens against a key
 * set: {@code GET /jwks.json} lists the first key ({@code kid} {@value Tokens#KEY_ID}); after {@code POST /rotate} it
 * lists the second ({@value Tokens#SECOND_KEY_ID}) too, so that a test can show a verifier picking up a new key.
 * After {@code POST /stall} every request for the keys waits without an answer until {@code POST /unstall}, as an
 * auth-service that accepts connections but never answers would.
 */
final class JwksServer implements AutoCloseable {

    private final HttpServer server;
    private final List<JsonWebKey> published = new ArrayList<>();
    private final JsonWebKey second;
    private volatile java.util.concurrent.CountDownLatch stalled = new java.util.concurrent.CountDownLatch(0);

    private JwksServer(HttpServer server, JsonWebKey first, JsonWebKey second) {
        this.server = server;
        this.published.add(first);
        this.second = second;
    }

    static JwksServer start(TestKeys first, TestKeys second) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 20);
            JwksServer jwks = new JwksServer(server, jwk(first.publicKeyPem(), Tokens.KEY_ID),
                    jwk(second.publicKeyPem(), Tokens.SECOND_KEY_ID));
            server.createContext("/jwks.json", jwks::keys);
            server.createContext("/rotate", jwks::rotate);
            server.createContext("/stall", exchange -> {
                jwks.stalled = new java.util.concurrent.CountDownLatch(1);
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.createContext("/unstall", exchange -> {
                jwks.stalled.countDown();
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.start();
            return jwks;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void keys(HttpExchange exchange) throws IOException {
        try {
            stalled.await(120, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body;
        synchronized (this) {
            body = new JsonWebKeySet(published).toJson().getBytes(StandardCharsets.UTF_8);
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private synchronized void rotate(HttpExchange exchange) throws IOException {
        if (!published.contains(second)) {
            published.add(second);
        }
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    private static JsonWebKey jwk(Path publicPem, String keyId) {
        try {
            String pem = Files.readString(publicPem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
            RsaJsonWebKey jwk = (RsaJsonWebKey) JsonWebKey.Factory.newJwk(key);
            jwk.setKeyId(keyId);
            jwk.setAlgorithm("RS256");
            jwk.setUse("sig");
            return jwk;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JoseException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
