package io.meridian.platform.problem;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Thrown by services to answer with a problem: a status, a stable type slug, a title and a detail meant for the
 * client. The mapper turns it into problem+json, so resources never build error responses by hand.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ProblemException(int status, String slug, String title, String detail) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "bad-request", "Bad request", detail);
    }

    /** A 400 validation problem naming one field, shaped like Bean Validation's. */
    public static ProblemException invalidField(String field, String message) {
        return new ProblemException(400, "validation", "Validation failed", "The request has 1 invalid field(s).") {
            @Override
            public List<Problem.FieldError> errors() {
                return List.of(new Problem.FieldError(field, message));
            }
        };
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "not-found", "Not found", detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "conflict", "Conflict", detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "forbidden", "Forbidden", detail);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "unauthorized", "Unauthorized", detail).withHeader("WWW-Authenticate", "Bearer");
    }

    /** 429 with {@code Retry-After} in whole seconds (at least one). */
    public static ProblemException tooManyRequests(String detail, long retryAfterSeconds) {
        return new ProblemException(429, "too-many-requests", "Too many requests", detail)
                .withHeader("Retry-After", String.valueOf(Math.max(1, retryAfterSeconds)));
    }

    /**
     * Over a quota of the deployment: 413 when the quota counts bytes, 409 when it counts things; the body names the
     * quota, its limit, what the user holds and what the request asked for.
     */
    public static ProblemException overQuota(String name, String what, long limit, long used, long requested,
            boolean bytes) {
        Problem.Quota quota = new Problem.Quota(name, limit, used, requested);
        String detail = "Over the " + name + " quota: " + what + " would reach " + (used + requested) + " of at most "
                + limit + " (" + used + " held now).";
        return new ProblemException(bytes ? 413 : 409, "quota-exceeded", "Over quota", detail) {
            @Override
            public Problem.Quota quota() {
                return quota;
            }
        };
    }

    /**
     * 429 past a limit that frees with time (work under way, tokens per day): the body names it as a quota, with
     * {@code Retry-After} in whole seconds.
     */
    public static ProblemException overLimit(String name, String what, long limit, long used, long retryAfterSeconds) {
        Problem.Quota quota = new Problem.Quota(name, limit, used, 1);
        String detail = "Over the " + name + " limit: " + what + " " + (used >= limit ? "reached" : "are at") + " "
                + used + " of at most " + limit + "; try again in " + Math.max(1, retryAfterSeconds) + " s.";
        return new ProblemException(429, "limit-exceeded", "Over a limit", detail) {
            @Override
            public Problem.Quota quota() {
                return quota;
            }
        }.withHeader("Retry-After", String.valueOf(Math.max(1, retryAfterSeconds)));
    }

    public static ProblemException unavailable(String detail) {
        return new ProblemException(503, "unavailable", "Service unavailable", detail);
    }

    /** Adds a response header, for example {@code Retry-After}. */
    public ProblemException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** Field errors, for problems that are validation failures. */
    public List<Problem.FieldError> errors() {
        return List.of();
    }

    /** The quota hit, for problems that are over a quota. */
    public Problem.Quota quota() {
        return null;
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }
}
