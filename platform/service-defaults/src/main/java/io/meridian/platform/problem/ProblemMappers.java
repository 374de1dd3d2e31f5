package io.meridian.platform.problem;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.meridian.platform.events.TransientFailures;
import io.meridian.platform.requestid.RequestIds;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Maps every exception that reaches the REST layer to problem+json. Clients never see a stack trace or an
 * internal message: unexpected failures answer 500 with the request id, and the cause is logged under that id; a
 * dependency unavailable for a moment (the database, most often: TransientFailures) answers 503 with Retry-After.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    // Ahead of the built-in Jackson and validation mappers of Quarkus REST.
    private static final int FIRST = jakarta.ws.rs.Priorities.USER - 1000;

    @ServerExceptionMapper(priority = FIRST)
    public Response problem(ProblemException e, UriInfo uri) {
        Response.ResponseBuilder response = Response.fromResponse(Problems.response(
                Problems.of(e.status(), e.slug(), e.title(), e.getMessage(), path(uri), e.errors(), e.quota())));
        e.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper(priority = FIRST)
    public Response invalid(ConstraintViolationException e, UriInfo uri) {
        boolean returnValue = e.getConstraintViolations().stream()
                .anyMatch(v -> kinds(v.getPropertyPath()).contains(ElementKind.RETURN_VALUE));
        if (returnValue) {
            return unexpected(e, uri);
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> violation : e.getConstraintViolations()) {
            errors.add(new Problem.FieldError(fieldName(violation.getPropertyPath()), violation.getMessage()));
        }
        errors.sort(Comparator.comparing(Problem.FieldError::field));
        return Problems.response(Problems.of(400, "validation", "Validation failed",
                "The request has " + errors.size() + " invalid field(s).", path(uri), errors));
    }

    @ServerExceptionMapper(priority = FIRST)
    public Response malformed(JsonParseException e, UriInfo uri) {
        return Problems.response(Problems.of(400, "malformed-json", "Malformed JSON",
                "The body is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ").",
                path(uri), List.of()));
    }

    /** Also wrong types and unknown fields: Quarkus REST has its own mapper for this type, which this one replaces. */
    @ServerExceptionMapper(priority = FIRST)
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        return jsonMapping(e, uri);
    }

    @ServerExceptionMapper(priority = FIRST)
    public Response mapping(JsonMappingException e, UriInfo uri) {
        return jsonMapping(e, uri);
    }

    @ServerExceptionMapper(priority = FIRST)
    public Response json(JsonProcessingException e, UriInfo uri) {
        return Problems.response(Problems.of(400, "malformed-json", "Malformed JSON",
                "The body could not be read as JSON.", path(uri), List.of()));
    }

    @ServerExceptionMapper(priority = FIRST)
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return unauthenticated(uri);
    }

    @ServerExceptionMapper(priority = FIRST)
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return unauthenticated(uri);
    }

    @ServerExceptionMapper(priority = FIRST)
    public Response authenticationIncomplete(AuthenticationCompletionException e, UriInfo uri) {
        return unauthenticated(uri);
    }

    @ServerExceptionMapper(priority = FIRST)
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return Problems.response(Problems.of(403, "You are not allowed to do this.", path(uri)));
    }

    @ServerExceptionMapper(priority = FIRST)
    public Response web(WebApplicationException e, UriInfo uri, HttpHeaders headers) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonParseException parse) {
            return malformed(parse, uri);
        }
        if (e.getCause() instanceof JsonMappingException mapping) {
            return jsonMapping(mapping, uri);
        }
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json, uri);
        }
        if (status >= 500) {
            return unexpected(e, uri);
        }
        String detail = switch (status) {
            case 404 -> "Nothing is found at " + path(uri) + ".";
            case 405 -> "This method is not allowed on " + path(uri) + ".";
            case 406 -> "None of the accepted media types can be produced.";
            case 415 -> "Content type " + (e instanceof NotSupportedException && headers.getMediaType() != null
                    ? headers.getMediaType().toString()
                    : "(none)") + " is not accepted here.";
            default -> e.getMessage() == null || e.getMessage().startsWith("HTTP ") ? Problems.titleFor(status)
                    : e.getMessage();
        };
        Response response = Problems.response(Problems.of(status, detail, path(uri)));
        if (status == 405 && !e.getResponse().getAllowedMethods().isEmpty()) {
            return Response.fromResponse(response).allow(e.getResponse().getAllowedMethods()).build();
        }
        return response;
    }

    @ServerExceptionMapper(priority = FIRST + 1)
    public Response unexpected(Throwable e, UriInfo uri) {
        if (TransientFailures.isTransient(e)) { // the database or another dependency is away for a moment
            LOG.warnf("%s answered 503: a dependency is unavailable (request id %s): %s", path(uri),
                    RequestIds.current(), e.toString());
            return Response.fromResponse(Problems.response(Problems.of(503, "unavailable", "Service unavailable",
                    "A service this request needs is unavailable right now; try again shortly.", path(uri),
                    List.of()))).header("Retry-After", "5").build();
        }
        LOG.errorf(e, "Unexpected failure on %s (request id %s)", path(uri), RequestIds.current());
        return Problems.response(Problems.of(500, "internal-error", "Internal server error",
                "Something went wrong on our side. Quote the request id when you report it.", path(uri),
                List.of()));
    }

    private Response jsonMapping(JsonMappingException e, UriInfo uri) {
        if (e.getCause() instanceof JsonParseException parse) {
            return malformed(parse, uri);
        }
        String field = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b)
                .orElse("");
        String message = switch (e) {
            case UnrecognizedPropertyException u -> "is not a known field";
            case io.meridian.platform.rest.NoNulInText.NulCharacterException n -> "must not contain NUL characters";
            case InvalidFormatException f -> "must be of type " + f.getTargetType().getSimpleName();
            case MismatchedInputException m when m.getTargetType() != null ->
                "must be of type " + m.getTargetType().getSimpleName();
            default -> "has an invalid value";
        };
        if (field.isEmpty()) {
            return Problems.response(Problems.of(400, "malformed-json", "Malformed JSON",
                    "The body does not have the expected shape.", path(uri), List.of()));
        }
        return Problems.response(Problems.of(400, "validation", "Validation failed",
                "The request has 1 invalid field(s).", path(uri), List.of(new Problem.FieldError(field, message))));
    }

    private static Response unauthenticated(UriInfo uri) {
        Response response = Problems.response(Problems.of(401, "A valid bearer token is required.", path(uri)));
        return Response.fromResponse(response).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    /** Field names as the client knows them: without the method and parameter nodes of the path. */
    static String fieldName(Path path) {
        List<String> names = new ArrayList<>();
        String parameter = null;
        for (Path.Node node : path) {
            switch (node.getKind()) {
                case METHOD, CONSTRUCTOR, RETURN_VALUE, CROSS_PARAMETER -> {
                }
                case PARAMETER -> parameter = node.getName();
                default -> names.add(node.getIndex() != null ? node.getName() + "[" + node.getIndex() + "]"
                        : node.getName());
            }
        }
        if (names.isEmpty()) {
            return parameter == null ? "" : parameter;
        }
        return String.join(".", names);
    }

    private static List<ElementKind> kinds(Path path) {
        List<ElementKind> kinds = new ArrayList<>();
        path.forEach(node -> kinds.add(node.getKind()));
        return kinds;
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getRequestUri().getRawPath();
    }
}
