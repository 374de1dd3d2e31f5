package io.meridian.email.messaging;

import com.fasterxml.jackson.databind.JsonNode;

import io.meridian.platform.events.PoisonEventException;

/** Reads the fields a mail needs from an event's data; a missing one makes the event poison (it goes to the DLQ). */
final class EventFields {

    private EventFields() {
    }

    static String required(JsonNode data, String field) {
        String value = optional(data, field);
        if (value == null) {
            throw new PoisonEventException("the event has no " + field);
        }
        return value;
    }

    static String optional(JsonNode data, String field) {
        JsonNode value = data == null ? null : data.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
    }
}
