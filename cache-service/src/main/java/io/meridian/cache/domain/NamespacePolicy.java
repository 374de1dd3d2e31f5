package io.meridian.cache.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * An admin's rules for one namespace: the TTL of entries written without one and the longest allowed, and how many
 * entries and bytes of values it may hold.
 */
@Entity
@Table(name = "namespace_policy")
public class NamespacePolicy extends PanacheEntityBase {

    @Id
    public String name;
    @Column(name = "default_ttl_seconds")
    public long defaultTtlSeconds;
    /** 0: no limit. Past the limit the least recently used entries are evicted. */
    @Column(name = "max_entries")
    public int maxEntries;
    /** 0: no limit. Past the limit the least recently used entries are evicted. */
    @Column(name = "max_bytes")
    public long maxBytes;
    /** 0: the service's longest TTL. */
    @Column(name = "max_ttl_seconds")
    public long maxTtlSeconds;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "updated_by")
    public String updatedBy;
}
