package io.meridian.gateway.edge;

import java.math.BigInteger;
import java.net.URI;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.meridian.gateway.config.GatewayConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * auth-service's signing keys for the edge, fetched without ever blocking a thread (ADR 0011). Keys are fetched at
 * start, every {@code jwks-refresh-interval}, and when a token names a {@code kid} the gateway does not know; such a
 * fetch happens at most once per {@code jwks-min-refresh-interval}, and every request waiting for a key joins the one
 * fetch in flight (or the next one allowed), so an anonymous client sending random {@code kid}s costs auth-service
 * one request per interval and the gateway a few waiting callbacks, never a thread. A fetch that takes longer than
 * {@code jwks-timeout} fails: the waiting requests answer 401 and the keys already known stay in use.
 */
@ApplicationScoped
public class JwksKeys {

    private static final Logger LOG = Logger.getLogger(JwksKeys.class);

    /** The token names a key that auth-service does not publish (or could not be asked in time). */
    public static final class UnknownKey extends Exception {
        UnknownKey(String message) {
            super(message, null, false, false);
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final URI location;
    private final long timeoutMillis;
    private final long minIntervalMillis;
    private final long refreshMillis;
    private volatile Map<String, PublicKey> keys = Map.of();
    /** The fetch that waiting requests join; null when none is running or scheduled. Guarded by {@code this}. */
    private Future<Void> next;
    private long lastFetchStartedMillis = -1;

    JwksKeys(Vertx vertx, GatewayConfig config, @ConfigProperty(name = "mp.jwt.verify.publickey.location") String location) {
        this.vertx = vertx;
        this.location = URI.create(location);
        this.timeoutMillis = config.jwksTimeout().toMillis();
        this.minIntervalMillis = config.jwksMinRefreshInterval().toMillis();
        this.refreshMillis = config.jwksRefreshInterval().toMillis();
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeoutMillis)
                .setMaxPoolSize(2).setName("gateway-jwks"));
    }

    void start(@Observes StartupEvent started) {
        refreshSoon();
        vertx.setPeriodic(refreshMillis, id -> refreshSoon());
    }

    /** The key for {@code kid}: at once when known, else after one (shared, bounded) fetch of the JWKS. */
    public Future<PublicKey> key(String kid) {
        PublicKey known = kid == null ? null : keys.get(kid);
        if (known != null) {
            return Future.succeededFuture(known);
        }
        if (kid == null) {
            return Future.failedFuture(new UnknownKey("The token names no key (kid)."));
        }
        return refreshSoon().transform(fetched -> {
            PublicKey key = keys.get(kid);
            return key != null ? Future.succeededFuture(key)
                    : Future.failedFuture(new UnknownKey("The token's key " + kid + " is not one of auth-service's."));
        });
    }

    /** Joins the fetch in flight or scheduled, or starts one (now, or when the minimum interval allows). */
    private synchronized Future<Void> refreshSoon() {
        if (next != null) {
            return next;
        }
        long now = System.nanoTime() / 1_000_000;
        long wait = lastFetchStartedMillis < 0 ? 0 : lastFetchStartedMillis + minIntervalMillis - now;
        Promise<Void> done = Promise.promise();
        next = done.future();
        if (wait <= 0) {
            fetch(done);
        } else {
            vertx.setTimer(wait, id -> fetch(done));
        }
        return next;
    }

    private void fetch(Promise<Void> done) {
        synchronized (this) {
            lastFetchStartedMillis = System.nanoTime() / 1_000_000;
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(location.toString())
                .setTimeout(timeoutMillis).setIdleTimeout(timeoutMillis);
        client.request(options).compose(request -> request.send()).compose(response -> response.statusCode() == 200
                ? response.body() : Future.failedFuture("auth-service answered " + response.statusCode()))
                .onComplete(result -> {
                    synchronized (this) {
                        next = null;
                    }
                    if (result.succeeded()) {
                        try {
                            keys = parse(result.result().toJsonObject());
                        } catch (RuntimeException e) {
                            LOG.warnf("The JWKS at %s could not be read; the keys known stay in use: %s", location, e);
                        }
                    } else {
                        LOG.warnf("The JWKS at %s could not be fetched within %d ms; the keys known stay in use: %s",
                                location, timeoutMillis, result.cause().toString());
                    }
                    done.complete(); // waiters look again either way
                });
    }

    /** RSA keys by {@code kid}; other key types are not used by auth-service and are skipped. */
    static Map<String, PublicKey> parse(JsonObject jwks) {
        Map<String, PublicKey> parsed = new HashMap<>();
        JsonArray list = jwks.getJsonArray("keys", new JsonArray());
        for (int i = 0; i < list.size(); i++) {
            JsonObject jwk = list.getJsonObject(i);
            String kid = jwk.getString("kid");
            if (kid == null || !"RSA".equals(jwk.getString("kty")) || "enc".equals(jwk.getString("use"))) {
                continue;
            }
            try {
                BigInteger modulus = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("n")));
                BigInteger exponent = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("e")));
                parsed.put(kid, KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent)));
            } catch (Exception e) {
                LOG.warnf("Skipped the unreadable JWKS key %s: %s", kid, e.toString());
            }
        }
        return Map.copyOf(parsed);
    }
}
