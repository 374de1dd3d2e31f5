package io.meridian.auth;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * An OpenID Connect provider on loopback, real enough for auth-service to talk to: discovery, an authorization
 * endpoint that "signs in" whoever the test names (login_hint, sub, email_verified), a token endpoint that checks the
 * client secret, the redirect URI and the PKCE verifier, and RS256 ID tokens with their JWKS. {@code tamper=nonce} or
 * {@code tamper=audience} on the authorization request makes it issue a bad ID token.
 */
public class StandInOidcProvider implements QuarkusTestResourceLifecycleManager {

    static final String CLIENT_ID = "meridian-test";
    static final String CLIENT_SECRET = "stand-in-secret";

    private record Grant(String clientId, String redirectUri, String challenge, String nonce, String subject,
            String email, boolean verified, String tamper) {
    }

    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private HttpServer server;
    private RsaJsonWebKey key;
    private String issuer;

    @Override
    public Map<String, String> start() {
        try {
            key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId("stand-in-1");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 20);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        issuer = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/.well-known/openid-configuration", exchange -> respond(exchange, 200, """
                {"issuer":"%s","authorization_endpoint":"%s/authorize","token_endpoint":"%s/token","jwks_uri":"%s/jwks"}"""
                .formatted(issuer, issuer, issuer, issuer)));
        server.createContext("/jwks", exchange -> respond(exchange, 200,
                "{\"keys\":[" + key.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY) + "]}"));
        server.createContext("/authorize", this::authorize);
        server.createContext("/token", this::token);
        server.start();
        String prefix = "meridian.auth.oidc.providers.stand-in.";
        return Map.of(prefix + "issuer", issuer,
                prefix + "client-id", CLIENT_ID,
                prefix + "client-secret", CLIENT_SECRET,
                prefix + "redirect-uri", "http://localhost:8081/api/auth/oauth/stand-in/callback");
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
        if (!"code".equals(q.get("response_type")) || !"S256".equals(q.get("code_challenge_method"))
                || !CLIENT_ID.equals(q.get("client_id"))) {
            respond(exchange, 400, "{\"error\":\"invalid_request\"}");
            return;
        }
        String code = UUID.randomUUID().toString();
        codes.put(code, new Grant(q.get("client_id"), q.get("redirect_uri"), q.get("code_challenge"), q.get("nonce"),
                q.getOrDefault("sub", "subject-" + code), q.get("login_hint"),
                Boolean.parseBoolean(q.getOrDefault("email_verified", "true")), q.get("tamper")));
        exchange.getResponseHeaders().add("Location", q.get("redirect_uri") + "?code=" + code + "&state="
                + URLEncoder.encode(q.get("state"), StandardCharsets.UTF_8));
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = query(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Grant grant = codes.remove(form.getOrDefault("code", ""));
        if (grant == null || !"authorization_code".equals(form.get("grant_type"))
                || !CLIENT_SECRET.equals(form.get("client_secret")) || !grant.redirectUri().equals(form.get("redirect_uri"))
                || !grant.challenge().equals(s256(form.getOrDefault("code_verifier", "")))) {
            respond(exchange, 400, "{\"error\":\"invalid_grant\"}");
            return;
        }
        try {
            JwtClaims claims = new JwtClaims();
            claims.setIssuer(issuer);
            claims.setAudience("audience".equals(grant.tamper()) ? "someone-else" : grant.clientId());
            claims.setSubject(grant.subject());
            claims.setIssuedAtToNow();
            claims.setExpirationTimeMinutesInTheFuture(5);
            claims.setClaim("nonce", "nonce".equals(grant.tamper()) ? "another-nonce" : grant.nonce());
            claims.setClaim("email", grant.email());
            claims.setClaim("email_verified", grant.verified());
            claims.setClaim("name", "Stand-in User");
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setKey(key.getPrivateKey());
            jws.setKeyIdHeaderValue(key.getKeyId());
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
            respond(exchange, 200, "{\"access_token\":\"opaque\",\"token_type\":\"Bearer\",\"id_token\":\""
                    + jws.getCompactSerialization() + "\"}");
        } catch (Exception e) {
            respond(exchange, 500, "{\"error\":\"server_error\"}");
        }
    }

    private static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

}
