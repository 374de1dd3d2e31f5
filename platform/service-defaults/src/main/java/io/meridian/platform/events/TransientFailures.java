package io.meridian.platform.events;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;

import org.apache.kafka.common.errors.RetriableException;
import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;

/**
 * Tells a failure that time will heal (a dependency unreachable, busy or restarting) from one that will fail again
 * however often it is retried (bad data, a bug). The whole chain of causes is looked at, since frameworks wrap what
 * the driver threw. See ADR 0016.
 */
public final class TransientFailures {

    /**
     * SQLSTATE classes of a database that is away, full, shutting down or cancelling (08, 53, 57, 58), and states of a
     * lost race worth running again: serialization failure, deadlock, lock not available (what JPA's lock and query
     * timeouts wrap).
     */
    private static final Set<String> TRANSIENT_SQL_CLASSES = Set.of("08", "53", "57", "58");
    private static final Set<String> TRANSIENT_SQL_STATES = Set.of("40001", "40P01", "55P03");

    private TransientFailures() {
    }

    public static boolean isTransient(Throwable failure) {
        int depth = 0;
        for (Throwable cause = failure; cause != null && depth < 32; cause = cause.getCause(), depth++) {
            if (cause instanceof PoisonEventException) {
                return false;
            }
            if (cause instanceof RetryLaterException || cause instanceof SQLTransientException
                    || cause instanceof SQLRecoverableException || cause instanceof IOException
                    || cause instanceof RetriableException || cause instanceof FaultToleranceException
                    || cause instanceof RejectedExecutionException || cause instanceof ProcessingException
                    || cause instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
            if (cause instanceof SQLException sql && transientState(sql.getSQLState())) {
                return true;
            }
            if (cause instanceof WebApplicationException web) {
                int status = web.getResponse() == null ? 0 : web.getResponse().getStatus();
                return status >= 500 || status == 429;
            }
        }
        return false;
    }

    /**
     * A state that says the database was not reached or gave up for now. No state at all comes from the pool or the
     * driver itself (a connection not acquired in time), never from the database refusing the data.
     */
    private static boolean transientState(String state) {
        return state == null || TRANSIENT_SQL_STATES.contains(state)
                || (state.length() >= 2 && TRANSIENT_SQL_CLASSES.contains(state.substring(0, 2)));
    }
}
