package io.meridian.auth.messaging;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.meridian.auth.domain.User;
import io.meridian.platform.events.Outbox;
import io.meridian.platform.events.Topics;
import io.meridian.platform.security.Sealer;

/** The events of {@code auth.users}, written to the outbox in the caller's transaction; the user id is the key. */
@ApplicationScoped
public class UserEvents {

    public static final String REGISTERED = "user.registered";
    public static final String EMAIL_VERIFICATION_REQUESTED = "user.email-verification-requested";
    public static final String PASSWORD_RESET_REQUESTED = "user.password-reset-requested";
    public static final String PASSWORD_CHANGED = "user.password-changed";
    public static final String EMAIL_VERIFIED = "user.email-verified";
    public static final String ROLES_CHANGED = "user.roles-changed";
    public static final String DELETED = "user.deleted";

    public record Registered(UUID userId, String email, String displayName, Instant registeredAt) {
    }

    /**
     * Carries the one-time token for email-service's link, sealed for email-service alone (AES-256-GCM with the key
     * only the two share, bound to the event type and user): the outbox, Kafka and any dead-letter topic hold nothing
     * usable (ADR 0011).
     */
    public record TokenMail(UUID userId, String email, String displayName, String sealedToken, Instant expiresAt) {
    }

    /** The owner proved the address: mail beyond the proof itself may go there. */
    public record EmailVerified(UUID userId, String email, String displayName, Instant verifiedAt) {
    }

    public record PasswordChanged(UUID userId, String email, String displayName, String reason, Instant changedAt) {
    }

    public record RolesChanged(UUID userId, Set<String> roles, Set<String> added, Set<String> removed) {
    }

    public record Deleted(UUID userId, String email) {
    }

    private final Outbox outbox;
    private final Sealer mailLinks;

    UserEvents(Outbox outbox, io.meridian.auth.config.AuthConfig config) {
        this.outbox = outbox;
        this.mailLinks = Sealer.ofBase64(config.mailLinkKey(), "meridian.auth.mail-link-key (MERIDIAN_MAIL_LINK_KEY)");
    }

    /** The context a one-time token is sealed under: the event type and the user (email-service opens with the same). */
    public static String sealContext(String type, UUID userId) {
        return type + ":" + userId;
    }

    public void registered(User user) {
        publish(REGISTERED, user.id, new Registered(user.id, user.email, user.displayName, user.createdAt));
    }

    public void emailVerificationRequested(User user, String token, Instant expiresAt) {
        publish(EMAIL_VERIFICATION_REQUESTED, user.id, new TokenMail(user.id, user.email, user.displayName,
                mailLinks.seal(token, sealContext(EMAIL_VERIFICATION_REQUESTED, user.id)), expiresAt));
    }

    public void passwordResetRequested(User user, String token, Instant expiresAt) {
        publish(PASSWORD_RESET_REQUESTED, user.id, new TokenMail(user.id, user.email, user.displayName,
                mailLinks.seal(token, sealContext(PASSWORD_RESET_REQUESTED, user.id)), expiresAt));
    }

    public void emailVerified(User user) {
        publish(EMAIL_VERIFIED, user.id, new EmailVerified(user.id, user.email, user.displayName, Instant.now()));
    }

    public void passwordChanged(User user, String reason) {
        publish(PASSWORD_CHANGED, user.id,
                new PasswordChanged(user.id, user.email, user.displayName, reason, Instant.now()));
    }

    public void rolesChanged(User user, Set<String> added, Set<String> removed) {
        publish(ROLES_CHANGED, user.id, new RolesChanged(user.id, Set.copyOf(user.roles), added, removed));
    }

    public void deleted(User user) {
        publish(DELETED, user.id, new Deleted(user.id, user.email));
    }

    private void publish(String type, UUID userId, Object data) {
        outbox.publish(Topics.AUTH_USERS, type, userId.toString(), data);
    }
}
