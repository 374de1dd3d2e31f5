import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.UUID;

import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The upstream of the gateway benchmark: one event loop answering every path with a small JSON document, and a JWKS
 * at /jwks.json for a key made at start. Like a real server (NGINX's keepalive_requests), it closes a kept-alive
 * connection after a number of requests (the last answer says {@code Connection: close}), so that every proxy
 * measured also pays for reconnecting. Writes a user token signed with that key (valid 15 minutes) to the file given,
 * for wrk's Authorization header. Run: java -cp "$(cat .run/bench.classpath)" benchmarks/GatewayBenchUpstream.java
 * port tokenFile [requests per connection, default 1000] (benchmarks/gateway.sh does).
 */
public class GatewayBenchUpstream {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path tokenFile = Path.of(args[1]);
        int perConnection = args.length > 2 ? Integer.parseInt(args[2]) : 1000;

        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        RsaJsonWebKey jwk = new RsaJsonWebKey((java.security.interfaces.RSAPublicKey) keys.getPublic());
        jwk.setKeyId("bench");
        jwk.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        jwk.setUse("sig");
        String jwks = new JsonWebKeySet(jwk).toJson();

        JwtClaims claims = new JwtClaims();
        claims.setIssuer("http://localhost:8080");
        claims.setAudience("meridian");
        claims.setSubject(UUID.randomUUID().toString());
        claims.setClaim("email", "bench@example.com");
        claims.setStringListClaim("groups", "user");
        claims.setClaim("sid", UUID.randomUUID().toString());
        claims.setGeneratedJwtId();
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(15); // the gateway refuses tokens living longer than auth-service issues
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(keys.getPrivate());
        jws.setKeyIdHeaderValue("bench");
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        Files.writeString(tokenFile, jws.getCompactSerialization());

        String body = "{\"id\":\"0b6f3f0e-5d1c-4c55-9a51-8d7e4f2a9c10\",\"name\":\"bench\",\"ok\":true}";
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        java.util.Map<io.vertx.core.http.HttpConnection, int[]> served = new java.util.IdentityHashMap<>();
        long[] closed = { 0 };
        vertx.createHttpServer().connectionHandler(connection -> {
            served.put(connection, new int[1]);
            connection.closeHandler(ignored -> served.remove(connection));
        }).requestHandler(request -> {
            io.vertx.core.http.HttpServerResponse response = request.response().putHeader("Content-Type", "application/json");
            int[] count = served.get(request.connection());
            boolean last = count != null && ++count[0] >= perConnection;
            if (last) {
                response.putHeader("Connection", "close");
                closed[0]++;
            }
            io.vertx.core.Future<Void> sent = response.end(request.path().equals("/jwks.json") ? jwks : body);
            if (last) {
                sent.onComplete(ignored -> request.connection().close());
            }
        }).listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        vertx.setPeriodic(10_000, id -> System.out.println("connections closed after " + perConnection + " requests: "
                + closed[0]));
        System.out.println("Upstream ready on 127.0.0.1:" + port);
    }
}
