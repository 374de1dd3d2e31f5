package io.meridian.rag.messaging;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.meridian.platform.events.EventConsumer;
import io.meridian.platform.events.EventEnvelope;
import io.meridian.platform.events.EventFields;
import io.meridian.platform.events.PoisonEventException;
import io.meridian.rag.service.CollectionService;
import io.meridian.rag.service.IngestionService;
import io.smallrye.common.annotation.Blocking;

/**
 * The ingestion queue ({@code rag.ingestion}, one task per uploaded document, taken by whichever replica's worker is
 * free), and users' data going with them ({@code user.deleted} on {@code auth.users}).
 */
@ApplicationScoped
public class IngestionWorker {

    static final String INGESTION_CONSUMER = "rag-ingestion";
    static final String USERS_CONSUMER = "rag-auth-users";

    private final EventConsumer consumer;
    private final IngestionService ingestion;
    private final CollectionService collections;

    IngestionWorker(EventConsumer consumer, IngestionService ingestion, CollectionService collections) {
        this.consumer = consumer;
        this.ingestion = ingestion;
        this.collections = collections;
    }

    @Incoming("rag-ingestion")
    @Blocking
    void onIngestionTask(ConsumerRecord<String, String> record) {
        EventEnvelope task = consumer.read(record);
        UUID documentId;
        try {
            documentId = UUID.fromString(EventFields.required(task.data(), "documentId"));
        } catch (IllegalArgumentException e) {
            throw new PoisonEventException("documentId is not a UUID");
        }
        // The slow part (parsing, embedding) runs before, and outside, the transaction that records the event; an
        // unavailable database or model is waited out there as in the transaction (ADR 0016).
        IngestionService.Prepared prepared = consumer.attempt(() -> ingestion.prepare(documentId));
        consumer.apply(INGESTION_CONSUMER, record, event -> ingestion.store(documentId, prepared));
    }

    @Incoming("auth-users")
    @Blocking
    void onUserEvent(ConsumerRecord<String, String> record) {
        consumer.apply(USERS_CONSUMER, record, event -> {
            if ("user.deleted".equals(event.type())) {
                collections.deleteAllOf(UUID.fromString(EventFields.required(event.data(), "userId")));
            }
        });
    }
}
