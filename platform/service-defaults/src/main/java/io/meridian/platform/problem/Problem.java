package io.meridian.platform.problem;

import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The one error body of the platform, RFC 9457 {@code application/problem+json}, with the request id, for validation
 * failures the failing fields, and for a request over a quota the quota it hit.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(URI type, String title, int status, String detail, String instance, String requestId,
        List<FieldError> errors, Quota quota) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://meridian.dev/problems/";

    /** One invalid field: its name as the client sent it, and what is wrong with it. */
    public record FieldError(String field, String message) {
    }

    /**
     * The quota a request would have gone past: its name (for example {@code documents} or {@code originalBytes}),
     * the deployment's limit, what the user holds now, and what the request asked for.
     */
    public record Quota(String name, long limit, long used, long requested) {
    }

    public static URI type(String slug) {
        return URI.create(TYPE_BASE + slug);
    }
}
