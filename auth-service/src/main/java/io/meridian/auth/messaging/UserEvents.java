package io.meridian.auth.messaging;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.meridian.auth.domain.User;
import io.meridian.platform.events.Outbox;
import io.meridian.platform.events.Topics;

/** The events of {@code auth.users}, written to the outbox in the caller's transaction; the user id is the key. */
@ApplicationScoped
public class UserEvents {

    public static final String REGISTERED = "user.registered";
    public static final String EMAIL_VERIFICATION_REQUESTED = "user.email-verification-requested";
    public static final String PASSWORD_RESET_REQUESTED = "user.password-reset-requested";
    public static final String PASSWORD_CHANGED = "user.password-changed";
    public static final String ROLES_CHANGED = "user.roles-changed";
    public static final String DELETED = "user.deleted";

    public record Registered(UUID userId, String email, String displayName, Instant registeredAt) {
    }

    /** Carries the one-time token so that email-service can build the link; the token is single-use and short-lived. */
    public record TokenMail(UUID userId, String email, String displayName, String token, Instant expiresAt) {
    }

    public record PasswordChanged(UUID userId, String email, String displayName, String reason, Instant changedAt) {
    }

    public record RolesChanged(UUID userId, Set<String> roles, Set<String> added, Set<String> removed) {
    }

    public record Deleted(UUID userId, String email) {
    }

    private final Outbox outbox;

    UserEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    public void registered(User user) {
        publish(REGISTERED, user.id, new Registered(user.id, user.email, user.displayName, user.createdAt));
    }

    public void emailVerificationRequested(User user, String token, Instant expiresAt) {
        publish(EMAIL_VERIFICATION_REQUESTED, user.id,
                new TokenMail(user.id, user.email, user.displayName, token, expiresAt));
    }

    public void passwordResetRequested(User user, String token, Instant expiresAt) {
        publish(PASSWORD_RESET_REQUESTED, user.id, new TokenMail(user.id, user.email, user.displayName, token, expiresAt));
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
