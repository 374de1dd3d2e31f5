package io.meridian.platform.requestid;

import java.util.UUID;
import java.util.regex.Pattern;

import org.jboss.logging.MDC;

/**
 * The request id of the work at hand, kept in the logging MDC (which Quarkus carries along the request's Vert.x
 * context) so that every log line, outgoing REST call and outbox event can carry it.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {
    }

    public static String current() {
        Object id = MDC.get(MDC_KEY);
        return id == null ? null : id.toString();
    }

    public static void set(String id) {
        if (id == null) {
            MDC.remove(MDC_KEY);
        } else {
            MDC.put(MDC_KEY, id);
        }
    }

    /** The client's id when it is safe to log and pass on, otherwise a new one. */
    public static String acceptOrGenerate(String candidate) {
        if (candidate != null && ACCEPTABLE.matcher(candidate).matches()) {
            return candidate;
        }
        return UUID.randomUUID().toString();
    }
}
