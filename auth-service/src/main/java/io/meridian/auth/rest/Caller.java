package io.meridian.auth.rest;

import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.meridian.platform.problem.ProblemException;
import io.vertx.core.http.HttpServerRequest;

/** Who is calling: the verified token's subject and session, the client address and user agent. */
@RequestScoped
public class Caller {

    private final JsonWebToken token;
    private final HttpServerRequest request;

    Caller(JsonWebToken token, HttpServerRequest request) {
        this.token = token;
        this.request = request;
    }

    /** Whether the caller is a machine client (client-credentials token). */
    public boolean isClient() {
        return token.getClaim("client_id") != null;
    }

    /** The signed-in user's id; machine clients are refused here. */
    public UUID userId() {
        if (isClient() || sessionId() == null) {
            throw ProblemException.forbidden("This endpoint is for users, not machine clients.");
        }
        return UUID.fromString(token.getSubject());
    }

    public UUID sessionId() {
        String sid = token.getClaim("sid");
        return sid == null ? null : UUID.fromString(sid);
    }

    public boolean isAdmin() {
        return token.getGroups().contains("admin");
    }

    public String scope() {
        String scope = token.getClaim("scope");
        return scope == null ? "" : scope;
    }

    /** The client's address, as resolved from X-Forwarded-For when the gateway is a trusted proxy. */
    public String address() {
        return request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    }

    public String userAgent() {
        return request.getHeader("User-Agent");
    }
}
