package io.meridian.platform.problem;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;

import io.meridian.platform.requestid.RequestIds;

/** Builds problem responses and bodies; the single place where the error shape is assembled. */
public final class Problems {

    private static final Map<Integer, String> SLUGS = Map.ofEntries(
            Map.entry(400, "bad-request"), Map.entry(401, "unauthorized"), Map.entry(403, "forbidden"),
            Map.entry(404, "not-found"), Map.entry(405, "method-not-allowed"), Map.entry(406, "not-acceptable"),
            Map.entry(409, "conflict"), Map.entry(413, "payload-too-large"), Map.entry(415, "unsupported-media-type"),
            Map.entry(429, "too-many-requests"), Map.entry(500, "internal-error"), Map.entry(503, "unavailable"),
            Map.entry(504, "gateway-timeout"));

    private Problems() {
    }

    public static Problem of(int status, String detail, String instance) {
        return of(status, slugFor(status), titleFor(status), detail, instance, List.of());
    }

    public static Problem of(int status, String slug, String title, String detail, String instance,
            List<Problem.FieldError> errors) {
        return of(status, slug, title, detail, instance, errors, null);
    }

    public static Problem of(int status, String slug, String title, String detail, String instance,
            List<Problem.FieldError> errors, Problem.Quota quota) {
        return new Problem(Problem.type(slug), title, status, detail, instance, RequestIds.current(), errors, quota);
    }

    public static Response response(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    public static String slugFor(int status) {
        return SLUGS.getOrDefault(status, status >= 500 ? "server-error" : "client-error");
    }

    public static String titleFor(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        if (status == 413) {
            return "Content too large";
        }
        return known != null ? known.getReasonPhrase() : (status >= 500 ? "Server error" : "Client error");
    }
}
