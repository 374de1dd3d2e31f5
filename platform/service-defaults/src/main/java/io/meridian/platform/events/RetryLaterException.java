package io.meridian.platform.events;

/**
 * A dependency is unavailable for now (a database failover, an engine restarting, a downstream service down): the work
 * is sound and will succeed once it is back. A consumer waits and tries again instead of dead-lettering the event.
 */
public class RetryLaterException extends RuntimeException {

    public RetryLaterException(String message) {
        super(message);
    }

    public RetryLaterException(String message, Throwable cause) {
        super(message, cause);
    }
}
