package io.meridian.platform.events;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads fields from an event's data; a missing required one makes the event poison (it goes to the DLQ). */
public final class EventFields {

    private EventFields() {
    }

    public static String required(JsonNode data, String field) {
        String value = optional(data, field);
        if (value == null) {
            throw new PoisonEventException("the event has no " + field);
        }
        return value;
    }

    public static String optional(JsonNode data, String field) {
        JsonNode value = data == null ? null : data.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
    }
}
