package io.meridian.cache.service;

import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.meridian.platform.problem.ProblemException;

/**
 * Who may use a namespace: a user's private namespace ({@code user:<id>}) only that user; every other namespace
 * admins and machine clients with {@code cache:read} (to read) or {@code cache:write} (to write and delete).
 */
public final class CacheAccess {

    public static final String READ_SCOPE = "cache:read";
    public static final String WRITE_SCOPE = "cache:write";

    private CacheAccess() {
    }

    public static void checkRead(JsonWebToken caller, String namespace) {
        check(caller, namespace, READ_SCOPE);
    }

    public static void checkWrite(JsonWebToken caller, String namespace) {
        check(caller, namespace, WRITE_SCOPE);
    }

    /** Flushing: what a writer may do, and admins any namespace, users' private ones included (they cannot read them). */
    public static void checkFlush(JsonWebToken caller, String namespace) {
        if (!isAdmin(caller)) {
            check(caller, namespace, WRITE_SCOPE);
        }
    }

    private static void check(JsonWebToken caller, String namespace, String scope) {
        if (Namespaces.isUserNamespace(namespace)) {
            if (!namespace.equals(Namespaces.ofUser(caller.getSubject()))) {
                throw ProblemException.forbidden("Namespace " + namespace + " is another user's; yours is "
                        + Namespaces.ofUser(caller.getSubject()) + ".");
            }
            return;
        }
        if (isAdmin(caller) || scopes(caller).contains(scope)) {
            return;
        }
        throw ProblemException.forbidden("Namespace " + namespace + " needs the admin role or the " + scope
                + " scope; your own namespace is " + Namespaces.ofUser(caller.getSubject()) + ".");
    }

    public static boolean isAdmin(JsonWebToken caller) {
        return caller.getGroups() != null && caller.getGroups().contains("admin");
    }

    private static Set<String> scopes(JsonWebToken caller) {
        Object scope = caller.getClaim("scope");
        return scope == null ? Set.of() : Set.of(scope.toString().trim().split("\\s+"));
    }
}
