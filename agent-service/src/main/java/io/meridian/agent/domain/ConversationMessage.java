package io.meridian.agent.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A turn of a user's conversation (the user's input or the agent's answer), replayed to the model in later runs. */
@Entity
@Table(name = "conversation_message")
public class ConversationMessage extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "owner_id")
    public UUID ownerId;
    @Column(name = "conversation_id")
    public UUID conversationId;
    @Column(name = "run_id")
    public UUID runId;
    /** user or assistant. */
    public String role;
    public String content;
    @Column(name = "created_at")
    public Instant createdAt;
}
