package io.meridian.rag.domain;

import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A passage of a document with its embedding (float32, little-endian, unit length): the source from which the search
 * engine's index is written and rebuilt.
 */
@Entity
@Table(name = "chunk")
public class Chunk extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "chunk_seq")
    @SequenceGenerator(name = "chunk_seq", sequenceName = "chunk_seq", allocationSize = 50)
    public Long id;
    @Column(name = "document_id")
    public UUID documentId;
    @Column(name = "collection_id")
    public UUID collectionId;
    public int ordinal;
    public String text;
    public byte[] embedding;
}
