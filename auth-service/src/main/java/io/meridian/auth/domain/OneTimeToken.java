package io.meridian.auth.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A single-use, expiring token sent by mail (email verification, password reset), known only by its hash. */
@Entity
@Table(name = "one_time_token")
public class OneTimeToken extends PanacheEntityBase {

    public enum Purpose {
        VERIFY_EMAIL, PASSWORD_RESET
    }

    @Id
    @Column(name = "token_hash")
    public String tokenHash;
    @Column(name = "user_id")
    public UUID userId;
    @Enumerated(EnumType.STRING)
    public Purpose purpose;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "used_at")
    public Instant usedAt;
}
