package io.meridian.rag.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.meridian.platform.events.Outbox;
import io.meridian.platform.events.Topics;
import io.meridian.platform.problem.ProblemException;
import io.meridian.rag.domain.Document;
import io.meridian.rag.domain.DocumentContent;
import io.meridian.rag.domain.KnowledgeCollection;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;

/**
 * Documents in: each upload is committed as PENDING with its original bytes and an ingestion task on
 * {@code rag.ingestion} (through the outbox, in the same transaction), which any replica's worker takes.
 */
@ApplicationScoped
public class DocumentService {

    /** An upload: its bytes, already checked to be of an accepted {@code contentType}. */
    public record Upload(String title, String externalId, Map<String, Object> metadata, byte[] content,
            String contentType) {
    }

    private final CollectionService collections;
    private final Outbox outbox;
    private final SearchIndexer indexer;

    DocumentService(CollectionService collections, Outbox outbox, SearchIndexer indexer) {
        this.collections = collections;
        this.outbox = outbox;
        this.indexer = indexer;
    }

    @Transactional
    public List<Document> add(UUID owner, UUID collectionId, List<Upload> uploads) {
        KnowledgeCollection collection = collections.owned(owner, collectionId);
        List<Document> added = new ArrayList<>(uploads.size());
        for (Upload upload : uploads) {
            Document document = new Document();
            document.id = UUID.randomUUID();
            document.collectionId = collection.id;
            document.ownerId = owner;
            document.title = upload.title();
            document.externalId = upload.externalId();
            document.metadata = upload.metadata();
            document.contentType = upload.contentType();
            document.sizeBytes = upload.content().length;
            document.status = Document.Status.PENDING;
            document.createdAt = Instant.now();
            document.persist();
            DocumentContent content = new DocumentContent();
            content.documentId = document.id;
            content.content = upload.content();
            content.persist();
            outbox.publish(Topics.RAG_INGESTION, "document.ingest", document.id.toString(),
                    Map.of("documentId", document.id.toString(), "collectionId", collection.id.toString()));
            added.add(document);
        }
        return added;
    }

    /** The caller's document, or 404. */
    @Transactional
    public Document owned(UUID owner, UUID id) {
        Document document = Document.findById(id);
        if (document == null || !document.ownerId.equals(owner)) {
            throw ProblemException.notFound("No document " + id + ".");
        }
        return document;
    }

    @Transactional
    public byte[] content(UUID owner, UUID id) {
        owned(owner, id);
        DocumentContent content = DocumentContent.findById(id);
        return content == null ? new byte[0] : content.content;
    }

    @Transactional
    public List<Document> list(UUID owner, UUID collectionId, int page, int size) {
        collections.owned(owner, collectionId);
        return Document.<Document>find("collectionId", Sort.descending("createdAt").and("id"), collectionId)
                .page(Page.of(page, size)).list();
    }

    @Transactional
    public long count(UUID collectionId) {
        return Document.count("collectionId", collectionId);
    }

    /** Deletes the document, its original and its chunks (here, and from the engine soon after); announces it. */
    @Transactional
    public void delete(UUID owner, UUID id) {
        Document document = owned(owner, id);
        collections.announceDeletions(List.of(document));
        document.delete();
        indexer.removeLater(owner, "document_id", id);
    }
}
