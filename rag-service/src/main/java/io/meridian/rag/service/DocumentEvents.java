package io.meridian.rag.service;

import java.util.HashMap;
import java.util.Map;

import io.meridian.rag.domain.Document;

/** The data of rag.documents events (document.indexed, document.failed, document.deleted). */
final class DocumentEvents {

    private DocumentEvents() {
    }

    static Map<String, Object> data(Document document) {
        Map<String, Object> data = new HashMap<>();
        data.put("documentId", document.id.toString());
        data.put("collectionId", document.collectionId.toString());
        data.put("ownerId", document.ownerId.toString());
        data.put("title", document.title);
        data.put("externalId", document.externalId);
        data.put("status", document.status.name());
        data.put("chunkCount", document.chunkCount);
        if (document.error != null) {
            data.put("error", document.error);
        }
        return data;
    }
}
