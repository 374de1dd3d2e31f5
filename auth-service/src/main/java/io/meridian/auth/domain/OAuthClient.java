package io.meridian.auth.domain;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A machine client of the client-credentials grant; its secret is known only by its SHA-256. */
@Entity
@Table(name = "oauth_client")
public class OAuthClient extends PanacheEntityBase {

    @Id
    @Column(name = "client_id")
    public String clientId;
    public String name;
    @Column(name = "secret_hash")
    public String secretHash;
    /** Space-separated. */
    public String scopes;
    @Column(name = "created_by")
    public UUID createdBy;
    @Column(name = "created_at")
    public Instant createdAt;
    /** A disabled client gets no tokens, and the ones it had stop working. */
    public boolean enabled = true;
    /** The {@code sid} of the client's tokens: revoking it (deny-list) ends every token issued under it. */
    @Column(name = "token_session")
    public UUID tokenSession;
    @Column(name = "secret_rotated_at")
    public Instant secretRotatedAt;
}
