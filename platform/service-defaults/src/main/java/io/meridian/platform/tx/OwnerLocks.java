package io.meridian.platform.tx;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import io.agroal.api.AgroalDataSource;

/**
 * A lock per owner (a user) in PostgreSQL, held until the current transaction ends: an advisory lock, so it holds
 * across every replica and makes a check and the write it admits one step, while other owners never wait for it.
 * The statement runs on the transaction's own connection (the data source hands the same one to every use inside a
 * transaction), so the lock ends with the transaction.
 */
@ApplicationScoped
public class OwnerLocks {

    private final AgroalDataSource dataSource;

    OwnerLocks(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Takes the owner's lock in the current transaction, waiting while another transaction holds it. */
    @Transactional(TxType.MANDATORY)
    public void lock(UUID owner) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("select pg_advisory_xact_lock(?)")) {
            statement.setLong(1, owner.getMostSignificantBits() ^ owner.getLeastSignificantBits());
            statement.execute();
        } catch (SQLException e) {
            throw new IllegalStateException("could not take the lock of owner " + owner, e);
        }
    }
}
