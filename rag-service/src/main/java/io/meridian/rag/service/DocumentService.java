package io.meridian.rag.service;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import io.meridian.rag.domain.KnowledgeCollection;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;

/**
 * Documents in: each upload is committed as PENDING with its original bytes and an ingestion task on
 * {@code rag.ingestion} (through the outbox, in the same transaction), which any replica's worker takes.
 */
@ApplicationScoped
public class DocumentService {

    /** An upload: its bytes ({@code size} of them), already checked to be of an accepted {@code contentType}. */
    public record Upload(String title, String externalId, Map<String, Object> metadata, long size, Content content,
            String contentType) {

        /** Text given in a JSON body (already in memory, bounded by the API). */
        public static Upload ofText(String title, String externalId, Map<String, Object> metadata, byte[] text) {
            return new Upload(title, externalId, metadata, text.length, () -> new ByteArrayInputStream(text),
                    ContentExtractor.PLAIN);
        }

        /** A file the HTTP layer wrote to disk as it arrived. */
        public static Upload ofFile(String title, String externalId, Path file, String contentType) throws IOException {
            return new Upload(title, externalId, null, Files.size(file), () -> Files.newInputStream(file), contentType);
        }
    }

    /** Opens an upload's bytes. */
    public interface Content {
        InputStream open() throws IOException;
    }

    private final CollectionService collections;
    private final Outbox outbox;
    private final SearchIndexer indexer;
    private final Originals originals;
    private final Quotas quotas;

    DocumentService(CollectionService collections, Outbox outbox, SearchIndexer indexer, Originals originals,
            Quotas quotas) {
        this.originals = originals;
        this.quotas = quotas;
        this.collections = collections;
        this.outbox = outbox;
        this.indexer = indexer;
    }

    /** Stores the uploads as PENDING documents of the collection, within the owner's quotas (409 or 413 past one). */
    @Transactional
    public List<Document> add(UUID owner, UUID collectionId, List<Upload> uploads) {
        KnowledgeCollection collection = collections.owned(owner, collectionId);
        quotas.admitDocuments(owner, uploads.size(), uploads.stream().mapToLong(Upload::size).sum());
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
            document.sizeBytes = upload.size();
            document.status = Document.Status.PENDING;
            document.createdAt = Instant.now();
            document.persistAndFlush(); // its row first: the parts of its original refer to it
            try (InputStream content = upload.content().open()) {
                originals.store(document.id, content);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read the upload back", e);
            }
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

    /** A document's original as it is served: its type, its length, and its bytes written a part at a time. */
    public record Original(String contentType, long size, Body body) {
    }

    /** Writes the bytes; no transaction or connection is held between parts. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** The caller's document's original, or 404. */
    @Transactional
    public Original original(UUID owner, UUID id) {
        Document document = owned(owner, id);
        return new Original(document.contentType, document.sizeBytes, out -> originals.copy(id, out));
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
