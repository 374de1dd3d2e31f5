package io.meridian.cache.service;

import java.util.Set;
import java.util.regex.Pattern;

import io.meridian.platform.problem.ProblemException;

/** The names of namespaces and keys, checked before anything reaches Redis. */
public final class Namespaces {

    /** A user's private namespace: {@code user:<their id>}. */
    public static final String USER_PREFIX = "user:";
    public static final int MAX_KEY_LENGTH = 256;

    private static final Pattern SHARED = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern USER = Pattern.compile("user:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._~:@=+-]{1," + MAX_KEY_LENGTH + "}");
    /** Path segments of the API itself. */
    private static final Set<String> RESERVED = Set.of("stats");

    private Namespaces() {
    }

    public static void validate(String namespace) {
        if (namespace == null || RESERVED.contains(namespace)
                || !(SHARED.matcher(namespace).matches() || USER.matcher(namespace).matches())) {
            throw ProblemException.invalidField("namespace", "must be 1-63 characters of a-z, 0-9, '.', '_' and '-',"
                    + " starting with a letter or digit, or user:<user id>; 'stats' is reserved");
        }
    }

    public static void validateKey(String field, String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw ProblemException.invalidField(field, "must be 1-" + MAX_KEY_LENGTH
                    + " characters of A-Z, a-z, 0-9 and . _ ~ : @ = + -");
        }
    }

    public static boolean isUserNamespace(String namespace) {
        return namespace.startsWith(USER_PREFIX);
    }

    public static String ofUser(String userId) {
        return USER_PREFIX + userId;
    }
}
