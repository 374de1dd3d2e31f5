package io.meridian.rag.service;

import java.time.Instant;
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

/** Collections, each owned by one user: others get 404, as if it did not exist. */
@ApplicationScoped
public class CollectionService {

    private final Outbox outbox;
    private final SearchIndexer indexer;
    private final Quotas quotas;

    CollectionService(Outbox outbox, SearchIndexer indexer, Quotas quotas) {
        this.outbox = outbox;
        this.indexer = indexer;
        this.quotas = quotas;
    }

    /** A new collection of the owner's, within their quota (409 past it). */
    @Transactional
    public KnowledgeCollection create(UUID owner, String name, String description) {
        quotas.admitCollection(owner);
        KnowledgeCollection collection = new KnowledgeCollection();
        collection.id = UUID.randomUUID();
        collection.ownerId = owner;
        collection.name = name.strip();
        collection.description = description;
        collection.createdAt = Instant.now();
        collection.persist();
        return collection;
    }

    @Transactional
    public List<KnowledgeCollection> list(UUID owner, int page, int size) {
        return KnowledgeCollection.<KnowledgeCollection>find("ownerId", Sort.descending("createdAt").and("id"), owner)
                .page(Page.of(page, size)).list();
    }

    @Transactional
    public long count(UUID owner) {
        return KnowledgeCollection.count("ownerId", owner);
    }

    /** The caller's collection, or 404. */
    @Transactional
    public KnowledgeCollection owned(UUID owner, UUID id) {
        KnowledgeCollection collection = KnowledgeCollection.findById(id);
        if (collection == null || !collection.ownerId.equals(owner)) {
            throw ProblemException.notFound("No collection " + id + ".");
        }
        return collection;
    }

    /** Documents per collection, for the collections shown. */
    @Transactional
    public Map<UUID, Long> documentCounts(List<UUID> collectionIds) {
        if (collectionIds.isEmpty()) {
            return Map.of();
        }
        List<Object[]> rows = Document.getEntityManager().createQuery(
                "select d.collectionId, count(d) from Document d where d.collectionId in ?1 group by d.collectionId",
                Object[].class).setParameter(1, collectionIds).getResultList();
        return rows.stream().collect(java.util.stream.Collectors.toMap(r -> (UUID) r[0], r -> (Long) r[1]));
    }

    /** Deletes the collection with its documents and chunks; each document's deletion is announced. */
    @Transactional
    public void delete(UUID owner, UUID id) {
        KnowledgeCollection collection = owned(owner, id);
        announceDeletions(Document.<Document>list("collectionId", id));
        collection.delete();
        indexer.removeLater(owner, "collection_id", id);
    }

    /** A deleted user's collections, documents and chunks. */
    @Transactional
    public int deleteAllOf(UUID owner) {
        announceDeletions(Document.<Document>list("ownerId", owner));
        indexer.removeLater(owner, "owner_id", owner);
        return (int) KnowledgeCollection.delete("ownerId", owner);
    }

    void announceDeletions(List<Document> documents) {
        for (Document document : documents) {
            outbox.publish(Topics.RAG_DOCUMENTS, "document.deleted", document.id.toString(),
                    DocumentEvents.data(document));
        }
    }
}
