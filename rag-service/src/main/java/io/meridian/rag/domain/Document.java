package io.meridian.rag.domain;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** An uploaded document and where its ingestion stands. */
@Entity
@Table(name = "document")
public class Document extends PanacheEntityBase {

    public enum Status {
        PENDING, INDEXED, FAILED
    }

    @Id
    public UUID id;
    @Column(name = "collection_id")
    public UUID collectionId;
    @Column(name = "owner_id")
    public UUID ownerId;
    public String title;
    @Column(name = "external_id")
    public String externalId;
    @Column(name = "content_type")
    public String contentType;
    @Column(name = "size_bytes")
    public long sizeBytes;
    @Enumerated(EnumType.STRING)
    public Status status;
    @Column(name = "chunk_count")
    public int chunkCount;
    public String error;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> metadata;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "indexed_at")
    public Instant indexedAt;
    /** When its chunks were stored here: it stays PENDING until the engine acknowledged them. */
    @Column(name = "stored_at")
    public Instant storedAt;
    /** The embedding model its chunks' vectors come from. */
    @Column(name = "embedding_model")
    public String embeddingModel;
}
