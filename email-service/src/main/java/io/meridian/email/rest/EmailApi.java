package io.meridian.email.rest;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import io.meridian.email.domain.Delivery;

/** Request and response bodies of the email API (API.md). */
public final class EmailApi {

    private EmailApi() {
    }

    public record SendRequest(@NotBlank @Email @Size(max = 254) String to, @NotBlank @Size(max = 64) String template,
            Map<String, Object> data, @Size(max = 16) String locale) {
    }

    public record PreviewRequest(Map<String, Object> data, @Size(max = 16) String locale) {
    }

    public record Preview(String subject, String html, String text) {
    }

    public record DeliveryView(UUID id, String to, String template, String subject, Delivery.Status status, int attempts,
            String lastError, String eventId, Instant createdAt, Instant sentAt) {

        public static DeliveryView of(Delivery d) {
            return new DeliveryView(d.id, d.recipient, d.template, d.subject, d.status, d.attempts, d.lastError,
                    d.eventId, d.createdAt, d.sentAt);
        }
    }
}
