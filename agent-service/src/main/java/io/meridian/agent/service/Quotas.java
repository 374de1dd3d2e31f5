package io.meridian.agent.service;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.domain.Agent;
import io.meridian.platform.problem.ProblemException;
import io.meridian.platform.tx.OwnerLocks;

/**
 * What one user may hold and start ({@code meridian.agent.quota.*}), counted from the tables, so that nothing can
 * drift. A check and the write it admits share one transaction under the user's own advisory lock in PostgreSQL:
 * it holds across replicas, and two starts of one user at once cannot both take the last place.
 */
@ApplicationScoped
public class Quotas {

    /** What a user holds. */
    public record Usage(long agents, long runsInFlight) {
    }

    /** The deployment's limits, as the API shows them. */
    public record Limits(long agents, long runsInFlight) {
    }

    /** A user's usage, for the admins' list. */
    public record Holder(UUID userId, Usage usage) {
    }

    private final AgentConfig.Quota quota;
    private final OwnerLocks locks;

    Quotas(AgentConfig config, OwnerLocks locks) {
        this.quota = config.quota();
        this.locks = locks;
    }

    public Limits limits() {
        return new Limits(quota.agents(), quota.runsInFlight());
    }

    /** In the current transaction: one more agent fits, or 409. */
    public void admitAgent(UUID owner) {
        locks.lock(owner);
        long held = agents(owner);
        if (held + 1 > quota.agents()) {
            throw ProblemException.overQuota("agents", "your agents", quota.agents(), held, 1, false);
        }
    }

    /** In the current transaction: one more run may start now, or 409 until one of the user's runs ends. */
    public void admitRun(UUID owner) {
        locks.lock(owner);
        long held = runsInFlight(owner);
        if (held + 1 > quota.runsInFlight()) {
            throw ProblemException.overQuota("runsInFlight", "your queued and running runs", quota.runsInFlight(), held,
                    1, false);
        }
    }

    @Transactional
    public Usage usage(UUID owner) {
        return new Usage(agents(owner), runsInFlight(owner));
    }

    /** Users who have agents, those with the most runs in flight first, then the most agents. */
    @Transactional
    public List<Holder> holders(int page, int size) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em().createNativeQuery("""
                select a.owner_id, a.agents, coalesce(r.runs, 0)
                from (select owner_id, count(*) agents from agent group by owner_id) a
                left join (select owner_id, count(*) runs from agent_run where status in ('QUEUED', 'RUNNING')
                    group by owner_id) r on r.owner_id = a.owner_id
                order by 3 desc, 2 desc, 1 limit ?1 offset ?2""").setParameter(1, size)
                .setParameter(2, (long) page * size).getResultList();
        return rows.stream().map(r -> new Holder((UUID) r[0], new Usage(((Number) r[1]).longValue(),
                ((Number) r[2]).longValue()))).toList();
    }

    /** How many users have agents (every run is of an agent). */
    @Transactional
    public long holderCount() {
        return ((Number) em().createNativeQuery("select count(distinct owner_id) from agent").getSingleResult()).longValue();
    }

    private static long agents(UUID owner) {
        return ((Number) em().createNativeQuery("select count(*) from agent where owner_id = ?1").setParameter(1, owner)
                .getSingleResult()).longValue();
    }

    private static long runsInFlight(UUID owner) {
        return ((Number) em().createNativeQuery(
                "select count(*) from agent_run where owner_id = ?1 and status in ('QUEUED', 'RUNNING')")
                .setParameter(1, owner).getSingleResult()).longValue();
    }


    private static EntityManager em() {
        return Agent.getEntityManager();
    }
}
