package io.meridian.agent.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A step of a run, written as it happens: a model call (with its tokens) or a tool call (arguments, result). */
@Entity
@Table(name = "run_step")
public class RunStep extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "run_id")
    public UUID runId;
    @Column(name = "step_index")
    public int index;
    public int attempt;
    /** model or tool. */
    public String kind;
    public String tool;
    /** ok, refused (not allowed) or error. */
    public String outcome;
    public String arguments;
    public String result;
    @Column(name = "duration_ms")
    public long durationMs;
    @Column(name = "input_tokens")
    public Integer inputTokens;
    @Column(name = "output_tokens")
    public Integer outputTokens;
    @Column(name = "created_at")
    public Instant createdAt;
}
