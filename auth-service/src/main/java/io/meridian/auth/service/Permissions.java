package io.meridian.auth.service;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/** Which {@code resource:action} permissions roles grant; stored in {@code role_permission}, seeded by migrations. */
@ApplicationScoped
public class Permissions {

    public static final Set<String> ROLES = Set.of("user", "admin");

    private final EntityManager em;

    Permissions(EntityManager em) {
        this.em = em;
    }

    @SuppressWarnings("unchecked")
    public Set<String> of(Collection<String> roles) {
        if (roles.isEmpty()) {
            return Set.of();
        }
        List<String> permissions = em.createNativeQuery(
                "select distinct permission from role_permission where role in (?1)", String.class)
                .setParameter(1, List.copyOf(roles)).getResultList();
        return new TreeSet<>(permissions);
    }

    /** Every permission some role grants: what a machine client may be given as scopes. */
    @SuppressWarnings("unchecked")
    public Set<String> known() {
        return new TreeSet<>(em.createNativeQuery("select distinct permission from role_permission", String.class)
                .getResultList());
    }
}
