package io.meridian.agent.tool;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Who a run acts for: the user who asked for it, with the roles and scopes their token carried and the token itself
 * (tools that call other services call them as this user, so those services apply their own rules).
 */
public record Caller(UUID userId, String email, Set<String> roles, Set<String> scopes, String token) {

    /** Whether the caller meets a requirement: {@code none}, {@code role:X}, {@code scope:X}, or alternatives joined by {@code |}. */
    public boolean satisfies(String requirement) {
        if (requirement == null || requirement.isBlank() || "none".equals(requirement)) {
            return true;
        }
        return Arrays.stream(requirement.split("\\|")).map(String::strip).anyMatch(one ->
                one.startsWith("role:") ? roles.contains(one.substring(5))
                        : one.startsWith("scope:") && scopes.contains(one.substring(6)));
    }

    /** The roles and scopes as stored with a run: {@code role:user role:admin scope:rag:read}. */
    public String grants() {
        return Stream.concat(roles.stream().sorted().map(r -> "role:" + r), scopes.stream().sorted().map(s -> "scope:" + s))
                .collect(Collectors.joining(" "));
    }

    public static Caller of(UUID userId, String email, String grants, String token) {
        Set<String> roles = new LinkedHashSet<>();
        Set<String> scopes = new LinkedHashSet<>();
        if (grants != null) {
            for (String grant : grants.split(" ")) {
                if (grant.startsWith("role:")) {
                    roles.add(grant.substring(5));
                } else if (grant.startsWith("scope:")) {
                    scopes.add(grant.substring(6));
                }
            }
        }
        return new Caller(userId, email, roles, scopes, token);
    }
}
