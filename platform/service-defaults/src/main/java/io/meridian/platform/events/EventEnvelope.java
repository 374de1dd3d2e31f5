package io.meridian.platform.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Every Meridian event on Kafka: CloudEvents 1.0 attributes in structured JSON mode, with the payload in
 * {@code data}. {@code subject} is the aggregate id and doubles as the record key, so one aggregate's events keep
 * their order.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventEnvelope(String specversion, String id, String source, String type, Instant time,
        String subject, String datacontenttype, JsonNode data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/cloudevents+json";

    public static EventEnvelope create(String source, String type, String subject, JsonNode data) {
        return new EventEnvelope(SPEC_VERSION, UUID.randomUUID().toString(), source, type, Instant.now(), subject,
                "application/json", data);
    }

    /** Whether the attributes every consumer relies on are present. */
    public boolean isComplete() {
        return id != null && !id.isBlank() && type != null && !type.isBlank() && source != null;
    }
}
