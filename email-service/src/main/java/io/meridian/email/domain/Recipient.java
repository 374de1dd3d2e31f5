package io.meridian.email.domain;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** An account's address as auth-service announced it, and whether its owner proved it (ADR 0011). */
@Entity
@Table(name = "recipient")
public class Recipient extends PanacheEntityBase {

    @Id
    @jakarta.persistence.Column(name = "user_id")
    public UUID userId;
    public String email;
    public boolean verified;
    @jakarta.persistence.Column(name = "updated_at")
    public Instant updatedAt;

    /** Whether some account owns this address and proved it. */
    public static boolean isVerified(String email) {
        return email != null && count("lower(email) = ?1 and verified = true", email.toLowerCase(java.util.Locale.ROOT)) > 0;
    }

    public static Optional<Recipient> ofUser(UUID userId) {
        return findByIdOptional(userId);
    }

    /** Records (or updates) the account's address and whether it is proved. */
    public static void record(UUID userId, String email, boolean verified) {
        Recipient recipient = Recipient.<Recipient>findByIdOptional(userId).orElseGet(() -> {
            Recipient created = new Recipient();
            created.userId = userId;
            return created;
        });
        boolean changedAddress = recipient.email != null && !recipient.email.equalsIgnoreCase(email);
        recipient.email = email;
        recipient.verified = verified || (recipient.verified && !changedAddress);
        recipient.updatedAt = Instant.now();
        recipient.persist();
    }
}
