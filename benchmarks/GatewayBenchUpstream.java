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
 * at /jwks.json for a key made at start. Writes a user token signed with that key (valid for two hours) to the file
 * given, for wrk's Authorization header. Run: java -cp "$(cat .run/bench.classpath)" benchmarks/GatewayBenchUpstream.java
 * port tokenFile (benchmarks/gateway.sh does).
 */
public class GatewayBenchUpstream {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path tokenFile = Path.of(args[1]);

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
        vertx.createHttpServer().requestHandler(request -> {
            if (request.path().equals("/jwks.json")) {
                request.response().putHeader("Content-Type", "application/json").end(jwks);
            } else {
                request.response().putHeader("Content-Type", "application/json").end(body);
            }
        }).listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        System.out.println("Upstream ready on 127.0.0.1:" + port);
    }
}
