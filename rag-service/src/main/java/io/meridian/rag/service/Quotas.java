package io.meridian.rag.service;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import io.meridian.platform.problem.ProblemException;
import io.meridian.platform.tx.OwnerLocks;
import io.meridian.rag.config.RagConfig;
import io.meridian.rag.domain.Document;

/**
 * What one user may hold ({@code meridian.rag.quota.*}), counted from the tables themselves, so that no counter can
 * drift from what is stored. A check and the write it admits run in one transaction under a lock of the user's own
 * (a PostgreSQL advisory lock, so it holds across replicas): two uploads of one user at once cannot both take the
 * last place, and other users never wait for it.
 */
@ApplicationScoped
public class Quotas {

    /** What a user holds. */
    public record Usage(long collections, long documents, long originalBytes, long chunks) {
    }

    /** The deployment's limits, as the API shows them. */
    public record Limits(long collections, long documents, long originalBytes, long chunks) {
    }

    private final RagConfig.Quota quota;
    private final OwnerLocks locks;

    Quotas(RagConfig config, OwnerLocks locks) {
        this.quota = config.quota();
        this.locks = locks;
    }

    public Limits limits() {
        return new Limits(quota.collections(), quota.documents(), quota.originalBytes().asLongValue(), quota.chunks());
    }

    /** In the current transaction: one more collection fits, or 409. */
    public void admitCollection(UUID owner) {
        locks.lock(owner);
        long held = ((Number) em().createNativeQuery("select count(*) from collection where owner_id = ?1")
                .setParameter(1, owner).getSingleResult()).longValue();
        if (held + 1 > quota.collections()) {
            throw ProblemException.overQuota("collections", "your collections", quota.collections(), held, 1, false);
        }
    }

    /**
     * In the current transaction: {@code count} more documents of {@code bytes} in all fit, and the user's chunks are
     * not at their limit already; or 409 (a count) or 413 (bytes).
     */
    public void admitDocuments(UUID owner, int count, long bytes) {
        locks.lock(owner);
        Usage usage = usage(owner);
        if (usage.documents() + count > quota.documents()) {
            throw ProblemException.overQuota("documents", "your documents", quota.documents(), usage.documents(), count,
                    false);
        }
        long limit = quota.originalBytes().asLongValue();
        if (usage.originalBytes() + bytes > limit) {
            throw ProblemException.overQuota("originalBytes", "the bytes of your originals", limit,
                    usage.originalBytes(), bytes, true);
        }
        if (usage.chunks() >= quota.chunks()) {
            throw ProblemException.overQuota("chunks", "your chunks", quota.chunks(), usage.chunks(), 1, false);
        }
    }

    /**
     * Why a document of {@code chunks} chunks cannot be stored for the user, or null when it fits. With {@code locked},
     * in the current transaction and under the user's lock (the check that decides); without, a reading in passing
     * that saves embedding a document that cannot fit.
     */
    public String chunksRefused(UUID owner, int chunks, boolean locked) {
        if (locked) {
            locks.lock(owner);
        }
        long held = usage(owner).chunks();
        if (held + chunks > quota.chunks()) {
            return "over the chunks quota: its " + chunks + " chunks would bring its owner's to " + (held + chunks)
                    + " of at most " + quota.chunks();
        }
        return null;
    }

    /** What the user holds now. */
    @Transactional
    public Usage usage(UUID owner) {
        Object[] documents = (Object[]) em().createNativeQuery("""
                select count(*), coalesce(sum(size_bytes), 0), coalesce(sum(chunk_count), 0)
                from document where owner_id = ?1""").setParameter(1, owner).getSingleResult();
        long collections = ((Number) em().createNativeQuery("select count(*) from collection where owner_id = ?1")
                .setParameter(1, owner).getSingleResult()).longValue();
        return new Usage(collections, ((Number) documents[0]).longValue(), ((Number) documents[1]).longValue(),
                ((Number) documents[2]).longValue());
    }

    /** A user's usage, for the admins' list. */
    public record Holder(UUID userId, Usage usage) {
    }

    /** Users who hold anything, those with the most bytes of originals first. */
    @Transactional
    public List<Holder> holders(int page, int size) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em().createNativeQuery("""
                select c.owner_id, c.collections, coalesce(d.documents, 0), coalesce(d.bytes, 0), coalesce(d.chunks, 0)
                from (select owner_id, count(*) collections from collection group by owner_id) c
                left join (select owner_id, count(*) documents, sum(size_bytes) bytes, sum(chunk_count) chunks
                    from document group by owner_id) d on d.owner_id = c.owner_id
                order by 4 desc, 1 limit ?1 offset ?2""").setParameter(1, size).setParameter(2, (long) page * size)
                .getResultList();
        return rows.stream().map(r -> new Holder((UUID) r[0], new Usage(((Number) r[1]).longValue(),
                ((Number) r[2]).longValue(), ((Number) r[3]).longValue(), ((Number) r[4]).longValue()))).toList();
    }

    /** How many users hold anything (every document is in a collection). */
    @Transactional
    public long holderCount() {
        return ((Number) em().createNativeQuery("select count(distinct owner_id) from collection").getSingleResult())
                .longValue();
    }


    private static EntityManager em() {
        return Document.getEntityManager();
    }
}
