package io.meridian.gateway.routing;

import java.util.List;

/** Paths as the configuration writes them: exact ({@code /api/auth/login}) or a prefix ({@code /api/auth/oauth/*}). */
public final class PathPatterns {

    private final List<String> exact;
    private final List<String> prefixes;

    public PathPatterns(List<String> patterns) {
        this.exact = patterns.stream().filter(p -> !p.endsWith("/*")).map(PathPatterns::trim).toList();
        this.prefixes = patterns.stream().filter(p -> p.endsWith("/*")).map(p -> p.substring(0, p.length() - 2)).toList();
    }

    public boolean matches(String path) {
        String trimmed = trim(path);
        if (exact.contains(trimmed)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (trimmed.equals(prefix) || trimmed.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
    }

    private static String trim(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
