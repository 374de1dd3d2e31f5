package io.meridian.auth.domain;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** An account's identity at an external OpenID Connect provider (its {@code sub} there). */
@Entity
@Table(name = "external_identity")
@IdClass(ExternalIdentity.Key.class)
public class ExternalIdentity extends PanacheEntityBase {

    @Id
    public String provider;
    @Id
    public String subject;
    @Column(name = "user_id")
    public UUID userId;
    @Column(name = "created_at")
    public Instant createdAt;

    public static class Key implements Serializable {
        public String provider;
        public String subject;

        public Key() {
        }

        public Key(String provider, String subject) {
            this.provider = provider;
            this.subject = subject;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Objects.equals(provider, key.provider) && Objects.equals(subject, key.subject);
        }

        @Override
        public int hashCode() {
            return Objects.hash(provider, subject);
        }
    }
}
