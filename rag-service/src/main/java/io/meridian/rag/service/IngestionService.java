package io.meridian.rag.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.meridian.platform.events.Outbox;
import io.meridian.platform.events.RetryLaterException;
import io.meridian.platform.events.TransientFailures;
import io.meridian.platform.events.Topics;
import io.meridian.rag.domain.Chunk;
import io.meridian.rag.domain.Document;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Ingestion of one PENDING document: parse, chunk and embed outside any transaction (it can take a while), then, in
 * one transaction, store the chunks with the document's chunk count (or mark it FAILED with the reason, announced on
 * {@code rag.documents} through the outbox). The {@link SearchIndexer} then writes the stored chunks to the search
 * engine and marks the document INDEXED once the engine acknowledged them. A document that failed never blocks the
 * ones after it.
 */
@ApplicationScoped
public class IngestionService {

    private static final Logger LOG = Logger.getLogger(IngestionService.class);

    /** The work done before the transaction: passages with their vectors, or why there are none. */
    public record Prepared(List<String> passages, List<float[]> vectors, String failure) {

        static Prepared nothingToDo() {
            return new Prepared(null, null, null);
        }

        boolean nothing() {
            return passages == null && failure == null;
        }
    }

    private final ContentExtractor extractor;
    private final Chunker chunker;
    private final Embeddings embeddings;
    private final Outbox outbox;
    private final Timer parsing;
    private final Timer embedding;
    private final Timer storing;
    private final Counter failures;
    private final SearchIndexer indexer;
    private final Originals originals;
    private final Quotas quotas;

    IngestionService(ContentExtractor extractor, Chunker chunker, Embeddings embeddings, Outbox outbox,
            SearchIndexer indexer, Originals originals, Quotas quotas, MeterRegistry registry) {
        this.originals = originals;
        this.quotas = quotas;
        this.indexer = indexer;
        this.extractor = extractor;
        this.chunker = chunker;
        this.embeddings = embeddings;
        this.outbox = outbox;
        this.parsing = phase(registry, "parse");
        this.embedding = phase(registry, "embed");
        this.storing = phase(registry, "store");
        this.failures = Counter.builder("meridian.rag.ingestion.failures").description("Documents that failed to index")
                .register(registry);
    }

    /** Parses, chunks and embeds the document if it is still PENDING. */
    public Prepared prepare(UUID documentId) {
        Document pending = QuarkusTransaction.requiringNew().call(() -> {
            Document document = Document.findById(documentId);
            if (document == null || document.status != Document.Status.PENDING || document.storedAt != null) {
                return null; // gone, done, or stored and waiting for the search engine
            }
            return document;
        });
        if (pending == null) {
            return Prepared.nothingToDo();
        }
        Path original = null;
        try {
            long started = System.nanoTime();
            // the original goes to a temporary file a part at a time; the parsers read it from there. A failure here
            // is the database's or the disk's, not the document's: it is thrown, and the consumer waits it out
            original = Files.createTempFile("rag-original-", ".bin");
            originals.copy(documentId, original);
            List<String> passages;
            try {
                passages = chunker.split(extractor.text(original, pending.contentType));
            } catch (ContentExtractor.ExtractionLimitException e) {
                LOG.infof("Document %s is past a bound of extraction: %s", documentId, e.getMessage());
                return new Prepared(null, null, "the " + pending.contentType + " was not read to the end: "
                        + e.getMessage());
            } catch (Exception | OutOfMemoryError e) {
                LOG.infof("Document %s cannot be read: %s", documentId, e.toString());
                return new Prepared(null, null, "the " + pending.contentType + " could not be read: " + reason(e));
            }
            parsing.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (passages.isEmpty()) {
                return new Prepared(null, null, "the document has no text");
            }
            String refused = QuarkusTransaction.requiringNew()
                    .call(() -> quotas.chunksRefused(pending.ownerId, passages.size(), false));
            if (refused != null) {
                return new Prepared(null, null, refused); // not worth embedding
            }
            started = System.nanoTime();
            List<float[]> vectors;
            try {
                vectors = embeddings.embedAll(passages);
            } catch (RuntimeException e) {
                if (TransientFailures.isTransient(e)) {
                    throw new RetryLaterException("the embedding model is unavailable: " + reason(e), e);
                }
                LOG.infof("Document %s cannot be embedded: %s", documentId, e.toString());
                return new Prepared(null, null, "the text could not be embedded: " + reason(e));
            }
            embedding.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            return new Prepared(passages, vectors, null);
        } catch (IOException e) {
            throw new RetryLaterException("no room for the original of " + documentId + ": " + e.getMessage(), e);
        } finally {
            if (original != null) {
                try {
                    Files.deleteIfExists(original);
                } catch (IOException e) {
                    LOG.warnf("Could not delete the temporary file %s: %s", original, e.getMessage());
                }
            }
        }
    }

    private static String reason(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Stores what {@link #prepare} made, if the document is still there and still PENDING. */
    @Transactional
    public void store(UUID documentId, Prepared prepared) {
        long started = System.nanoTime();
        try {
            write(documentId, prepared);
        } finally {
            storing.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private void write(UUID documentId, Prepared prepared) {
        if (prepared.nothing()) {
            return;
        }
        Document document = Document.findById(documentId, LockModeType.PESSIMISTIC_WRITE);
        if (document == null || document.status != Document.Status.PENDING || document.storedAt != null) {
            return; // deleted meanwhile, or another worker was first
        }
        if (prepared.failure() != null) {
            fail(document, prepared.failure());
            return;
        }
        String refused = quotas.chunksRefused(document.ownerId, prepared.passages().size(), true);
        if (refused != null) {
            fail(document, refused);
            return;
        }
        for (int i = 0; i < prepared.passages().size(); i++) {
            Chunk chunk = new Chunk();
            chunk.documentId = document.id;
            chunk.collectionId = document.collectionId;
            chunk.ordinal = i;
            chunk.text = prepared.passages().get(i);
            chunk.embedding = Embeddings.toBytes(prepared.vectors().get(i));
            chunk.persist();
        }
        document.chunkCount = prepared.passages().size();
        document.embeddingModel = embeddings.modelName();
        document.storedAt = Instant.now();
        indexer.wakeAfterCommit();
    }

    private void fail(Document document, String reason) {
        document.status = Document.Status.FAILED;
        document.error = reason.length() > 2000 ? reason.substring(0, 2000) : reason;
        failures.increment();
        outbox.publish(Topics.RAG_DOCUMENTS, "document.failed", document.id.toString(), DocumentEvents.data(document));
    }

    private static Timer phase(MeterRegistry registry, String phase) {
        return Timer.builder("meridian.rag.ingestion").description("Time per document in each ingestion phase")
                .tag("phase", phase).register(registry);
    }
}
