package io.meridian.auth.rest;

import java.time.LocalDate;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.meridian.auth.domain.User;
import io.meridian.auth.domain.UserSession;

/** {@code GET /admin/stats}: what auth-service reports to the gateway's analytics (admins only). */
@Path("/admin/stats")
@Tag(name = "admin")
public class AdminStatsResource {

    public record DayCount(LocalDate day, long logins) {
    }

    public record Stats(List<DayCount> loginsPerDay, long activeSessions, long users) {
    }

    @GET
    @RolesAllowed("admin")
    @Transactional
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Logins per day over the last week, active sessions and users")
    public Stats stats() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = UserSession.getEntityManager().createNativeQuery("""
                select cast(date_trunc('day', created_at at time zone 'UTC') as date), count(*) from user_session
                where created_at > now() - interval '7 days' group by 1 order by 1""").getResultList();
        List<DayCount> days = rows.stream()
                .map(row -> new DayCount(LocalDate.parse(row[0].toString()), ((Number) row[1]).longValue())).toList();
        long active = UserSession.count("revokedAt is null and expiresAt > ?1", java.time.Instant.now());
        return new Stats(days, active, User.count());
    }
}
