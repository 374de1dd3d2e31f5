package io.meridian.cache;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.platform.events.EventEnvelope;
import io.meridian.testsupport.Tokens;

/** Callers of every kind, fresh namespaces, and events as other services publish them. */
final class CacheFixtures {

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    private CacheFixtures() {
    }

    static String admin() {
        return Tokens.admin(UUID.randomUUID(), "cache-admin@example.com");
    }

    /** A machine client that may read shared namespaces. */
    static String reader() {
        return Tokens.client("reader-client", "cache:read");
    }

    /** A machine client that may read and write shared namespaces. */
    static String writer() {
        return Tokens.client("writer-client", "cache:read cache:write");
    }

    /** A namespace no other test uses. */
    static String namespace(String purpose) {
        return purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String event(String type, Map<String, ?> data) {
        return event(UUID.randomUUID().toString(), type, data);
    }

    static String event(String id, String type, Map<String, ?> data) {
        try {
            return JSON.writeValueAsString(new EventEnvelope("1.0", id, "/meridian/test", type, Instant.now(), null,
                    "application/json", JSON.valueToTree(data)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
