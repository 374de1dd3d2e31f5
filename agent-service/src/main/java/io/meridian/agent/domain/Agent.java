package io.meridian.agent.domain;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A user's agent: instructions, the tools it may call, the model (or routing class) and its limits. */
@Entity
@Table(name = "agent")
public class Agent extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "owner_id")
    public UUID ownerId;
    public String name;
    public String instructions;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> tools;
    public String model;
    @Column(name = "max_steps")
    public int maxSteps;
    @Column(name = "time_limit_seconds")
    public int timeLimitSeconds;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
