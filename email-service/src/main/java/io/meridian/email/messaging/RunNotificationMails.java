package io.meridian.email.messaging;

import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.JsonNode;

import io.meridian.email.service.DeliveryService;
import io.meridian.platform.events.EventConsumer;
import io.meridian.platform.events.EventEnvelope;
import io.meridian.platform.events.EventFields;
import io.smallrye.common.annotation.Blocking;

/**
 * Tells a user their agent run has ended, when they asked to be told: {@code run.completed} and {@code run.failed}
 * on {@code agent.runs} with {@code notify: true} become a {@code run-completed} mail to the run's {@code email}.
 * Everything else on the topic (the {@code run.requested} task queue, runs nobody asked to hear about) is ignored.
 */
@ApplicationScoped
public class RunNotificationMails {

    static final String CONSUMER = "email-agent-runs";

    private final EventConsumer consumer;
    private final DeliveryService deliveries;

    RunNotificationMails(EventConsumer consumer, DeliveryService deliveries) {
        this.consumer = consumer;
        this.deliveries = deliveries;
    }

    @Incoming("agent-runs")
    @Blocking
    void onRunEvent(ConsumerRecord<String, String> record) {
        consumer.apply(CONSUMER, record, this::mailFor);
    }

    private void mailFor(EventEnvelope event) {
        boolean ended = "run.completed".equals(event.type()) || "run.failed".equals(event.type());
        JsonNode data = event.data();
        if (!ended || data == null || !data.path("notify").asBoolean(false)) {
            return;
        }
        Map<String, Object> values = new HashMap<>();
        values.put("runId", EventFields.required(data, "runId"));
        values.put("status", EventFields.required(data, "status"));
        String agentName = EventFields.optional(data, "agentName");
        values.put("agentName", agentName == null ? "Your agent" : agentName);
        String userId = EventFields.optional(data, "userId");
        deliveries.enqueue(EventFields.required(data, "email"), "run-completed", values, "en", event.id(),
                userId == null ? null : java.util.UUID.fromString(userId), null, true);
    }
}
