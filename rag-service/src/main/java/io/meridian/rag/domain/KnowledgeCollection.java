package io.meridian.rag.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A user's set of documents, searched together. */
@Entity
@Table(name = "collection")
public class KnowledgeCollection extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "owner_id")
    public UUID ownerId;
    public String name;
    public String description;
    @Column(name = "created_at")
    public Instant createdAt;
}
