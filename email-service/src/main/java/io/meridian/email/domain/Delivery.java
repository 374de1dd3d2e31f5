package io.meridian.email.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One mail: rendered when it is queued, then sent, retried or failed with its reason. */
@Entity
@Table(name = "delivery")
public class Delivery extends PanacheEntityBase {

    public enum Status {
        QUEUED, SENDING, SENT, RETRYING, FAILED
    }

    @Id
    public UUID id;
    public String recipient;
    public String template;
    public String locale;
    public String subject;
    @Column(name = "html_body")
    public String htmlBody;
    @Column(name = "text_body")
    public String textBody;
    @Enumerated(EnumType.STRING)
    public Status status;
    public int attempts;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "event_id")
    public String eventId;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;
    @Column(name = "sent_at")
    public Instant sentAt;
    /** While SENDING: when the claim ends and another sender may take the delivery again. */
    @Column(name = "claimed_until")
    public Instant claimedUntil;
    /** The Message-ID of every attempt, so that a copy sent again after an unknown outcome is recognisable. */
    @Column(name = "message_id")
    public String messageId;
    /** The account the mail is for, or whose action caused it (per-user limits); null for operators' mail. */
    @Column(name = "user_id")
    public UUID userId;
    /**
     * A one-time link's secret, sealed by auth-service for email-service only; opened when the mail is sent and
     * cleared once it is sent or failed for good. The stored bodies hold {@link #LINK_MARK} where the link goes.
     */
    @Column(name = "sealed_secret")
    public String sealedSecret;
    @Column(name = "secret_context")
    public String secretContext;
    /** The link up to the secret (base URL and path). */
    @Column(name = "secret_prefix")
    public String secretPrefix;

    /** Where a one-time link stands in a stored body: the link itself is never stored. */
    public static final String LINK_MARK = "[one-time link: sent by mail, not kept]";
}
