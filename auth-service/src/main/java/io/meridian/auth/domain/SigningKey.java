package io.meridian.auth.domain;

import java.time.Instant;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A token signing key: signs until retired, verifies (and stays in the JWKS) until it expires. */
@Entity
@Table(name = "signing_key")
public class SigningKey extends PanacheEntityBase {

    @Id
    public String kid;
    public String algorithm;
    @Column(name = "public_jwk")
    public String publicJwk;
    @Column(name = "private_key_encrypted")
    public String privateKeyEncrypted;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "retired_at")
    public Instant retiredAt;
    @Column(name = "expires_at")
    public Instant expiresAt;

    /** Every key that may still have signed a live token, newest first. */
    public static List<SigningKey> verifying(Instant now) {
        return list("expiresAt is null or expiresAt > ?1 order by createdAt desc", now);
    }
}
