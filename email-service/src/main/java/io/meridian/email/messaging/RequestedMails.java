package io.meridian.email.messaging;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.email.rest.EmailApi.SendRequest;
import io.meridian.email.service.DeliveryService;
import io.meridian.email.service.MailTemplates;
import io.meridian.platform.events.EventConsumer;
import io.meridian.platform.events.EventEnvelope;
import io.meridian.platform.events.EventFields;
import io.meridian.platform.events.PoisonEventException;
import io.smallrye.common.annotation.Blocking;

/**
 * Mails other services ask for with {@code email.requested} on {@code email.requests}: the data is the body of
 * {@code POST /api/email/messages} ({@code to, template, data, locale}) and is validated the same way. A request that
 * names no known template or a bad address goes to {@code email.requests.dlq} with the reason.
 */
@ApplicationScoped
public class RequestedMails {

    static final String CONSUMER = "email-requests";

    private final EventConsumer consumer;
    private final DeliveryService deliveries;
    private final MailTemplates templates;
    private final Validator validator;
    private final ObjectMapper mapper;

    RequestedMails(EventConsumer consumer, DeliveryService deliveries, MailTemplates templates, Validator validator,
            ObjectMapper mapper) {
        this.consumer = consumer;
        this.deliveries = deliveries;
        this.templates = templates;
        this.validator = validator;
        this.mapper = mapper;
    }

    @Incoming("email-requests")
    @Blocking
    void onRequest(ConsumerRecord<String, String> record) {
        consumer.apply(CONSUMER, record, this::mailFor);
    }

    private void mailFor(EventEnvelope event) {
        if (!"email.requested".equals(event.type())) {
            return;
        }
        SendRequest request = read(event);
        if (templates.find(request.template()).isEmpty()) {
            throw new PoisonEventException("no template " + request.template());
        }
        Map<String, Object> data = request.data() == null ? new HashMap<>() : new HashMap<>(request.data());
        // Mail other services ask for on a user's behalf (an agent's message): only to a proved address.
        String userId = EventFields.optional(event.data(), "userId");
        deliveries.enqueue(request.to(), request.template(), data, request.locale(), event.id(),
                userId == null ? null : java.util.UUID.fromString(userId), null, true);
    }

    private SendRequest read(EventEnvelope event) {
        SendRequest request;
        try {
            request = event.data() == null ? null : mapper.treeToValue(event.data(), SendRequest.class);
        } catch (JsonProcessingException e) {
            throw new PoisonEventException("the request is not {to, template, data, locale}: " + e.getOriginalMessage(), e);
        }
        if (request == null) {
            throw new PoisonEventException("the event has no data");
        }
        Set<ConstraintViolation<SendRequest>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            throw new PoisonEventException("invalid request: " + violations.stream()
                    .map(v -> v.getPropertyPath() + " " + v.getMessage()).sorted().collect(Collectors.joining(", ")));
        }
        return request;
    }
}
