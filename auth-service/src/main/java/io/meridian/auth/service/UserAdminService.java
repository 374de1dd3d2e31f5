package io.meridian.auth.service;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.meridian.auth.domain.User;
import io.meridian.auth.messaging.UserEvents;
import io.meridian.platform.problem.ProblemException;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;

/** What admins do to accounts: list them, change their roles, delete them. */
@ApplicationScoped
public class UserAdminService {

    public record UserPage(List<User> items, int page, int size, long total) {
    }

    private final SessionService sessions;
    private final UserEvents events;

    UserAdminService(SessionService sessions, UserEvents events) {
        this.sessions = sessions;
        this.events = events;
    }

    @Transactional
    public UserPage list(int page, int size, String query) {
        var found = query == null || query.isBlank()
                ? User.<User>findAll(Sort.by("createdAt").and("id"))
                : User.<User>find("lower(email) like ?1 or lower(displayName) like ?1", Sort.by("createdAt").and("id"),
                        "%" + query.toLowerCase(java.util.Locale.ROOT).replace("%", "\\%").replace("_", "\\_") + "%");
        return new UserPage(found.page(Page.of(page, size)).list(), page, size, found.count());
    }

    /**
     * Sets the user's roles. They take effect in the user's next token; removing a role also ends the user's sessions,
     * so that tokens carrying it stop working at once.
     */
    @Transactional
    public User setRoles(UUID userId, Set<String> roles, UUID actor) {
        User user = find(userId);
        if (!Permissions.ROLES.containsAll(roles) || roles.isEmpty()) {
            throw ProblemException.badRequest("Roles must be among " + new java.util.TreeSet<>(Permissions.ROLES) + ".");
        }
        if (user.id.equals(actor) && user.roles.contains("admin") && !roles.contains("admin")) {
            throw ProblemException.conflict("Admins cannot remove their own admin role.");
        }
        Set<String> added = new HashSet<>(roles);
        added.removeAll(user.roles);
        Set<String> removed = new HashSet<>(user.roles);
        removed.removeAll(roles);
        if (added.isEmpty() && removed.isEmpty()) {
            return user;
        }
        user.roles.clear();
        user.roles.addAll(roles);
        user.updatedAt = Instant.now();
        if (!removed.isEmpty()) {
            sessions.revokeAll(user.id, null, "roles-removed");
        }
        events.rolesChanged(user, added, removed);
        return user;
    }

    @Transactional
    public void delete(UUID userId, UUID actor) {
        User user = find(userId);
        if (user.id.equals(actor)) {
            throw ProblemException.conflict("Admins cannot delete their own account.");
        }
        sessions.revokeAll(user.id, null, "account-deleted");
        events.deleted(user);
        user.delete();
    }

    private static User find(UUID userId) {
        User user = User.findById(userId);
        if (user == null) {
            throw ProblemException.notFound("No user " + userId + ".");
        }
        return user;
    }
}
