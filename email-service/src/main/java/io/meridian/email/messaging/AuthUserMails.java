package io.meridian.email.messaging;

import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.JsonNode;

import io.meridian.email.service.DeliveryService;
import io.meridian.email.service.MailTemplates;
import io.meridian.platform.events.EventConsumer;
import io.meridian.platform.events.EventEnvelope;
import io.meridian.platform.events.EventFields;
import io.smallrye.common.annotation.Blocking;

/** The mails that auth-service's events owe: welcome, email verification, password reset, password changed. */
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
        switch (event.type()) {
            case "user.registered" -> queue(event, "welcome", Map.of("displayName", text(data, "displayName"),
                    "email", text(data, "email")));
            case "user.email-verification-requested" -> queue(event, "verify-email", Map.of(
                    "displayName", text(data, "displayName"), "email", text(data, "email"),
                    "link", templates.baseUrl() + "/verify-email?token=" + text(data, "token"),
                    "expiresAt", text(data, "expiresAt")));
            case "user.password-reset-requested" -> queue(event, "password-reset", Map.of(
                    "displayName", text(data, "displayName"),
                    "link", templates.baseUrl() + "/reset-password?token=" + text(data, "token"),
                    "expiresAt", text(data, "expiresAt")));
            case "user.password-changed" -> queue(event, "password-changed", Map.of(
                    "displayName", text(data, "displayName"), "reason", text(data, "reason"),
                    "changedAt", text(data, "changedAt")));
            default -> {
                // roles-changed, deleted: nothing to mail
            }
        }
    }

    private void queue(EventEnvelope event, String template, Map<String, Object> values) {
        deliveries.enqueue(text(event.data(), "email"), template, new HashMap<>(values), "en", event.id());
    }

    private static String text(JsonNode data, String field) {
        return EventFields.required(data, field);
    }
}
