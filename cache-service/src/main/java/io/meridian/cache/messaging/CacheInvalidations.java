package io.meridian.cache.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.meridian.cache.config.CacheConfig;
import io.meridian.cache.service.CacheService;
import io.meridian.cache.service.Namespaces;
import io.meridian.platform.events.EventConsumer;
import io.meridian.platform.events.EventEnvelope;
import io.meridian.platform.events.EventFields;
import io.meridian.platform.events.PoisonEventException;
import io.meridian.platform.problem.ProblemException;
import io.smallrye.common.annotation.Blocking;

/**
 * Entries that events make stale, each event applied once: {@code cache.invalidate} on {@code cache.invalidations}
 * (a namespace and its keys or a key prefix), a document indexed or deleted on {@code rag.documents} (its owner's
 * cached answers about its collection), and {@code user.deleted} on {@code auth.users} (the user's private namespace).
 */
@ApplicationScoped
public class CacheInvalidations {

    private static final Logger LOG = Logger.getLogger(CacheInvalidations.class);
    static final String INVALIDATIONS_CONSUMER = "cache-invalidations";
    static final String DOCUMENTS_CONSUMER = "cache-rag-documents";
    static final String USERS_CONSUMER = "cache-auth-users";
    private static final Duration WAIT = Duration.ofMinutes(2);

    private final EventConsumer consumer;
    private final CacheService cache;
    private final CacheConfig config;

    CacheInvalidations(EventConsumer consumer, CacheService cache, CacheConfig config) {
        this.consumer = consumer;
        this.cache = cache;
        this.config = config;
    }

    @Incoming("cache-invalidations")
    @Blocking
    void onInvalidation(ConsumerRecord<String, String> record) {
        consumer.apply(INVALIDATIONS_CONSUMER, record, this::invalidate);
    }

    @Incoming("rag-documents")
    @Blocking
    void onDocumentEvent(ConsumerRecord<String, String> record) {
        consumer.apply(DOCUMENTS_CONSUMER, record, this::documentChanged);
    }

    @Incoming("auth-users")
    @Blocking
    void onUserEvent(ConsumerRecord<String, String> record) {
        consumer.apply(USERS_CONSUMER, record, this::userChanged);
    }

    private void invalidate(EventEnvelope event) {
        if (!"cache.invalidate".equals(event.type())) {
            return;
        }
        JsonNode data = event.data();
        String namespace = EventFields.required(data, "namespace");
        valid(() -> Namespaces.validate(namespace));
        String prefix = EventFields.optional(data, "prefix");
        JsonNode keys = data.get("keys");
        if (keys != null && keys.isArray() && !keys.isEmpty()) {
            List<String> names = new ArrayList<>();
            keys.forEach(key -> names.add(key.asText()));
            names.forEach(key -> valid(() -> Namespaces.validateKey("keys", key)));
            long deleted = 0;
            for (int from = 0; from < names.size(); from += config.flushBatch()) {
                deleted += cache.delete(namespace, names.subList(from, Math.min(names.size(), from + config.flushBatch())))
                        .await().atMost(WAIT);
            }
            LOG.infof("Invalidated %d of %d keys in %s (event %s)", deleted, names.size(), namespace, event.id());
        } else if (prefix != null) {
            long deleted = cache.invalidatePrefix(namespace, prefix).await().atMost(WAIT);
            LOG.infof("Invalidated %d entries of %s starting with %s (event %s)", deleted, namespace, prefix, event.id());
        } else {
            throw new PoisonEventException("cache.invalidate needs keys or a prefix");
        }
    }

    private void documentChanged(EventEnvelope event) {
        if (!"document.indexed".equals(event.type()) && !"document.deleted".equals(event.type())) {
            return;
        }
        String collectionId = EventFields.required(event.data(), "collectionId");
        String namespace = Namespaces.ofUser(EventFields.required(event.data(), "ownerId"));
        valid(() -> Namespaces.validate(namespace));
        long deleted = cache.invalidatePrefix(namespace, config.ragAnswerPrefix() + collectionId + ":").await().atMost(WAIT);
        LOG.debugf("%s: %d cached answers of collection %s invalidated", event.type(), deleted, collectionId);
    }

    private void userChanged(EventEnvelope event) {
        if (!"user.deleted".equals(event.type())) {
            return;
        }
        String namespace = Namespaces.ofUser(EventFields.required(event.data(), "userId"));
        long deleted = cache.flush(namespace).await().atMost(WAIT);
        LOG.infof("User deleted: %d entries of %s flushed", deleted, namespace);
    }

    /** A malformed event can never succeed: it goes to the DLQ with the reason instead of being retried. */
    private static void valid(Runnable check) {
        try {
            check.run();
        } catch (ProblemException e) {
            throw new PoisonEventException(e.errors().isEmpty() ? e.getMessage()
                    : e.errors().get(0).field() + " " + e.errors().get(0).message());
        }
    }
}
