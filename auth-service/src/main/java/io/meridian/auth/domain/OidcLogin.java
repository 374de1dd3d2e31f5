package io.meridian.auth.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A sign-in through an external provider that has started and not yet come back. */
@Entity
@Table(name = "oidc_login")
public class OidcLogin extends PanacheEntityBase {

    @Id
    @Column(name = "state_hash")
    public String stateHash;
    public String provider;
    @Column(name = "code_verifier")
    public String codeVerifier;
    public String nonce;
    /** SHA-256 of the value of the cookie set on the browser that started the sign-in. */
    @Column(name = "browser_hash")
    public String browserHash;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
}
