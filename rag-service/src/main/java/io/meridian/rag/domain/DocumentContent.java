package io.meridian.rag.domain;

import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** The original bytes of a document, kept apart so that listing documents never loads them. */
@Entity
@Table(name = "document_content")
public class DocumentContent extends PanacheEntityBase {

    @Id
    @Column(name = "document_id")
    public UUID documentId;
    public byte[] content;
}
