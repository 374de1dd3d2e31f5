package io.meridian.rag.rest;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.meridian.rag.domain.Document;
import io.meridian.rag.domain.KnowledgeCollection;

/** The API's shapes of collections and documents (API.md). */
final class Views {

    private Views() {
    }

    public record CollectionView(UUID id, String name, String description, long documentCount, Instant createdAt) {

        static CollectionView of(KnowledgeCollection collection, long documents) {
            return new CollectionView(collection.id, collection.name, collection.description, documents,
                    collection.createdAt);
        }
    }

    public record DocumentView(UUID id, UUID collectionId, String title, String externalId, String contentType,
            long sizeBytes, Document.Status status, int chunkCount, String error, Map<String, Object> metadata,
            Instant createdAt, Instant indexedAt) {

        static DocumentView of(Document d) {
            return new DocumentView(d.id, d.collectionId, d.title, d.externalId, d.contentType, d.sizeBytes, d.status,
                    d.chunkCount, d.error, d.metadata, d.createdAt, d.indexedAt);
        }
    }
}
