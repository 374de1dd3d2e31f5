package io.meridian.agent.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One run of an agent, from QUEUED (or RUNNING, when inline) to SUCCEEDED, FAILED or CANCELLED. */
@Entity
@Table(name = "agent_run")
public class Run extends PanacheEntityBase {

    public enum Status {
        QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

        public boolean ended() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED;
        }
    }

    @Id
    public UUID id;
    @Column(name = "agent_id")
    public UUID agentId;
    @Column(name = "owner_id")
    public UUID ownerId;
    @Column(name = "owner_email")
    public String ownerEmail;
    @Column(name = "caller_roles")
    public String callerRoles;
    @Column(name = "caller_token")
    public String callerToken;
    @Column(name = "conversation_id")
    public UUID conversationId;
    @Enumerated(EnumType.STRING)
    public Status status;
    public String input;
    public String output;
    public String error;
    public String model;
    public boolean notify;
    @Column(name = "cancel_requested")
    public boolean cancelRequested;
    public int attempts;
    public String worker;
    @Column(name = "input_tokens")
    public int inputTokens;
    @Column(name = "output_tokens")
    public int outputTokens;
    @Column(name = "created_at")
    public Instant createdAt;
    /** When its task was last queued: at creation, and each time it is queued again. */
    @Column(name = "queued_at")
    public Instant queuedAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "heartbeat_at")
    public Instant heartbeatAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
}
