package io.meridian.auth.service;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.lang.JoseException;

import io.meridian.auth.config.AuthConfig;
import io.meridian.auth.domain.SigningKey;
import io.meridian.platform.security.Sealer;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * The token signing keys, kept in the {@code auth} schema with their private parts encrypted (AES-256-GCM, key
 * from the environment). One key signs at a time; a new one takes over every rotation period, and the old one keeps
 * verifying (and stays in the JWKS) until every token it signed has expired. Replicas agree through an advisory
 * lock and the database, and cache what they read.
 */
@ApplicationScoped
public class SigningKeys {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    public static final String ALGORITHM = "RS256";
    private static final Duration CACHE_FOR = Duration.ofSeconds(30);
    private static final Duration MIN_RELOAD_INTERVAL = Duration.ofSeconds(5);

    public record Active(String kid, PrivateKey privateKey) {
    }

    private record Snapshot(Active active, Map<String, PublicKey> verifying, String jwks, Instant loadedAt) {
    }

    private final AuthConfig config;
    private final Sealer encryptionKey;
    private volatile Snapshot snapshot;

    SigningKeys(AuthConfig config) {
        this.config = config;
        this.encryptionKey = Sealer.ofBase64(config.keys().encryptionKey(), "meridian.auth.keys.encryption-key");
    }

    void onStart(@Observes StartupEvent startup) {
        rotateIfDue();
    }

    @Scheduled(identity = "signing-key-rotation", every = "10m",
            skipExecutionIf = Scheduled.ApplicationNotRunning.class, delayed = "1m")
    void scheduledRotation() {
        rotateIfDue();
        purgeExpired();
    }

    /** Makes sure a key younger than the rotation period signs; creates one when needed. */
    public void rotateIfDue() {
        QuarkusTransaction.requiringNew().run(() -> {
            lock();
            SigningKey current = SigningKey.find("retiredAt is null order by createdAt desc").firstResult();
            if (current == null || current.createdAt.plus(config.keys().rotationPeriod()).isBefore(Instant.now())) {
                createAndActivate();
            }
        });
        reload(true);
    }

    /** Replaces the signing key now, whatever its age (an operator's action after a suspected leak, and tests). */
    public void rotateNow() {
        QuarkusTransaction.requiringNew().run(() -> {
            lock();
            createAndActivate();
        });
        reload(true);
    }

    @Transactional
    void purgeExpired() {
        long deleted = SigningKey.delete("expiresAt is not null and expiresAt < ?1", Instant.now());
        if (deleted > 0) {
            LOG.infof("Removed %d expired signing keys from the JWKS", deleted);
        }
    }

    public Active active() {
        Snapshot current = snapshot;
        if (current == null || current.loadedAt.plus(CACHE_FOR).isBefore(Instant.now())) {
            current = reload();
        }
        return current.active;
    }

    /** The public key for {@code kid}, or null when no live key has that id. */
    public PublicKey verificationKey(String kid) {
        Snapshot current = snapshot;
        PublicKey key = current == null ? null : current.verifying.get(kid);
        if (key == null && (current == null || current.loadedAt.plus(MIN_RELOAD_INTERVAL).isBefore(Instant.now()))) {
            // Perhaps another replica rotated a moment ago; reload, but not more often than every few seconds.
            key = reload().verifying.get(kid);
        }
        return key;
    }

    /** The JWKS document: public parts only. */
    public String jwks() {
        Snapshot current = snapshot;
        if (current == null || current.loadedAt.plus(CACHE_FOR).isBefore(Instant.now())) {
            current = reload();
        }
        return current.jwks;
    }

    private Snapshot reload() {
        return reload(false);
    }

    private synchronized Snapshot reload(boolean force) {
        Snapshot current = snapshot;
        if (!force && current != null && current.loadedAt.plus(MIN_RELOAD_INTERVAL).isAfter(Instant.now())) {
            return current; // another thread has just reloaded
        }
        Snapshot loaded = QuarkusTransaction.requiringNew().call(() -> {
            List<SigningKey> keys = SigningKey.verifying(Instant.now());
            Map<String, PublicKey> verifying = new HashMap<>();
            StringBuilder jwks = new StringBuilder("{\"keys\":[");
            Active active = null;
            for (SigningKey key : keys) {
                PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(key.publicJwk);
                verifying.put(key.kid, jwk.getPublicKey());
                if (jwks.charAt(jwks.length() - 1) != '[') {
                    jwks.append(',');
                }
                jwks.append(jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
                if (active == null && key.retiredAt == null) {
                    active = new Active(key.kid, decrypt(key));
                }
            }
            jwks.append("]}");
            if (active == null) {
                throw new IllegalStateException("no active signing key");
            }
            return new Snapshot(active, Map.copyOf(verifying), jwks.toString(), Instant.now());
        });
        snapshot = loaded;
        return loaded;
    }

    private void createAndActivate() {
        Instant now = Instant.now();
        Instant lastTokenExpiry = now.plus(config.tokens().accessTokenTtl()).plus(config.tokens().clockSkew());
        SigningKey.update("retiredAt = ?1, expiresAt = ?2 where retiredAt is null", now, lastTokenExpiry);
        try {
            RsaJsonWebKey jwk = RsaJwkGenerator.generateJwk(2048);
            String kid = now.toString().substring(0, 10) + "-" + UUID.randomUUID().toString().substring(0, 8);
            jwk.setKeyId(kid);
            jwk.setAlgorithm(ALGORITHM);
            jwk.setUse("sig");
            SigningKey key = new SigningKey();
            key.kid = kid;
            key.algorithm = ALGORITHM;
            key.publicJwk = jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
            key.privateKeyEncrypted = encrypt(kid, jwk.getPrivateKey().getEncoded());
            key.createdAt = now;
            key.persist();
            LOG.infof("Signing key %s now signs tokens", kid);
        } catch (JoseException e) {
            throw new IllegalStateException("could not generate a signing key", e);
        }
    }

    private static void lock() {
        Panache.getEntityManager()
                .createNativeQuery("select 1 from (select pg_advisory_xact_lock(hashtext('meridian-auth-signing-keys'))) l")
                .getSingleResult();
    }

    private String encrypt(String kid, byte[] plain) {
        return encryptionKey.seal(plain, kid);
    }

    private PrivateKey decrypt(SigningKey key) {
        try {
            byte[] plain = encryptionKey.open(key.privateKeyEncrypted, key.kid);
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(plain));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("could not decrypt signing key " + key.kid
                    + ": is meridian.auth.keys.encryption-key the one it was encrypted with?", e);
        }
    }
}
