package io.meridian.email.messaging;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.JsonNode;

import io.meridian.email.domain.Recipient;
import io.meridian.email.service.DeliveryService;
import io.meridian.email.service.MailTemplates;
import io.meridian.platform.events.EventConsumer;
import io.meridian.platform.events.EventEnvelope;
import io.meridian.platform.events.EventFields;
import io.smallrye.common.annotation.Blocking;

/**
 * The mails that auth-service's events owe (verification, password reset, welcome once the address is proved,
 * password changed), and which addresses their owners proved (ADR 0011): mail other than the proof itself and the
 * reset goes only to those.
 */
@ApplicationScoped
public class AuthUserMails {

    static final String CONSUMER = "email-auth-users";

    private final EventConsumer consumer;
    private final DeliveryService deliveries;
    private final MailTemplates templates;

    AuthUserMails(EventConsumer consumer, DeliveryService deliveries, MailTemplates templates) {
        this.consumer = consumer;
        this.deliveries = deliveries;
        this.templates = templates;
    }

    @Incoming("auth-users")
    @Blocking
    void onUserEvent(ConsumerRecord<String, String> record) {
        consumer.apply(CONSUMER, record, this::mailFor);
    }

    private void mailFor(EventEnvelope event) {
        JsonNode data = event.data();
        UUID userId = UUID.fromString(text(data, "userId"));
        switch (event.type()) {
            // The address is the account's; it is proved only once its owner follows the verification link.
            case "user.registered" -> Recipient.record(userId, text(data, "email"), false);
            case "user.email-verified" -> {
                Recipient.record(userId, text(data, "email"), true);
                queue(event, userId, "welcome", Map.of("displayName", text(data, "displayName"),
                        "email", text(data, "email")), null);
            }
            case "user.email-verification-requested" -> queue(event, userId, "verify-email", Map.of(
                    "email", text(data, "email"), "expiresAt", text(data, "expiresAt")),
                    sealedLink(event, userId, "/verify-email?token="));
            case "user.password-reset-requested" -> queue(event, userId, "password-reset", Map.of(
                    "expiresAt", text(data, "expiresAt")), sealedLink(event, userId, "/reset-password?token="));
            case "user.password-changed" -> queue(event, userId, "password-changed", Map.of(
                    "displayName", text(data, "displayName"), "reason", text(data, "reason"),
                    "changedAt", text(data, "changedAt")), null);
            case "user.deleted" -> Recipient.deleteById(userId);
            default -> {
                // roles-changed: nothing to mail
            }
        }
    }

    /** The link's secret stays sealed (as auth-service sealed it) until the mail is sent. */
    private DeliveryService.SealedLink sealedLink(EventEnvelope event, UUID userId, String path) {
        return new DeliveryService.SealedLink(templates.baseUrl() + path, text(event.data(), "sealedToken"),
                event.type() + ":" + userId);
    }

    private void queue(EventEnvelope event, UUID userId, String template, Map<String, Object> values,
            DeliveryService.SealedLink link) {
        deliveries.enqueue(text(event.data(), "email"), template, new HashMap<>(values), "en", event.id(), userId, link,
                true);
    }

    private static String text(JsonNode data, String field) {
        return EventFields.required(data, field);
    }
}
