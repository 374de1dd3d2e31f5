package io.meridian.agent.service;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.domain.Agent;
import io.meridian.agent.domain.ConversationMessage;
import io.meridian.agent.tool.ToolRegistry;
import io.meridian.platform.problem.ProblemException;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;

/** Agents, each owned by one user: others get 404. Tools, model and limits are checked against what exists. */
@ApplicationScoped
public class AgentService {

    /** What an agent is made of, as a client sends it (already checked by Bean Validation for shape and size). */
    public record Definition(String name, String instructions, List<String> tools, String model, Integer maxSteps,
            Integer timeLimitSeconds) {
    }

    private final ToolRegistry tools;
    private final ModelRegistry models;
    private final AgentConfig.Limits limits;
    private final Quotas quotas;

    AgentService(ToolRegistry tools, ModelRegistry models, AgentConfig config, Quotas quotas) {
        this.quotas = quotas;
        this.tools = tools;
        this.models = models;
        this.limits = config.limits();
    }

    /** A new agent of the owner's, within their quota (409 past it). */
    @Transactional
    public Agent create(UUID owner, Definition definition) {
        quotas.admitAgent(owner);
        Agent agent = new Agent();
        agent.id = UUID.randomUUID();
        agent.ownerId = owner;
        agent.createdAt = Instant.now();
        apply(agent, definition);
        agent.persist();
        return agent;
    }

    @Transactional
    public Agent update(UUID owner, UUID id, Definition definition) {
        Agent agent = owned(owner, id);
        apply(agent, definition);
        return agent;
    }

    @Transactional
    public void delete(UUID owner, UUID id) {
        owned(owner, id).delete();
    }

    /** The caller's agent, or 404. */
    @Transactional
    public Agent owned(UUID owner, UUID id) {
        Agent agent = Agent.findById(id);
        if (agent == null || !agent.ownerId.equals(owner)) {
            throw ProblemException.notFound("No agent " + id + ".");
        }
        return agent;
    }

    @Transactional
    public Optional<Agent> find(UUID id) {
        return Optional.ofNullable(Agent.findById(id));
    }

    @Transactional
    public List<Agent> list(UUID owner, int page, int size) {
        return Agent.<Agent>find("ownerId", Sort.descending("createdAt").and("id"), owner).page(Page.of(page, size)).list();
    }

    @Transactional
    public long count(UUID owner) {
        return Agent.count("ownerId", owner);
    }

    /** A deleted user's agents (with their runs and steps) and conversations. */
    @Transactional
    public void deleteAllOf(UUID owner) {
        Agent.delete("ownerId", owner);
        ConversationMessage.delete("ownerId", owner);
    }

    private void apply(Agent agent, Definition definition) {
        List<String> allowed = definition.tools() == null ? List.of() : definition.tools().stream().distinct().toList();
        for (int i = 0; i < allowed.size(); i++) {
            if (!tools.exists(allowed.get(i))) {
                throw ProblemException.invalidField("tools[" + i + "]", "no tool named " + allowed.get(i)
                        + " (see GET /api/agents/tools)");
            }
        }
        String model = definition.model() == null || definition.model().isBlank() ? "default" : definition.model().strip();
        if (!models.names().contains(model)) {
            throw ProblemException.invalidField("model", "must be a model id or routing class: "
                    + String.join(", ", models.names()));
        }
        int maxSteps = definition.maxSteps() == null ? limits.defaultMaxSteps() : definition.maxSteps();
        if (maxSteps < 1 || maxSteps > limits.maxSteps()) {
            throw ProblemException.invalidField("maxSteps", "must be between 1 and " + limits.maxSteps());
        }
        int timeLimit = definition.timeLimitSeconds() == null ? (int) limits.defaultTimeLimit().toSeconds()
                : definition.timeLimitSeconds();
        if (timeLimit < 1 || timeLimit > limits.maxTimeLimit().toSeconds()) {
            throw ProblemException.invalidField("timeLimitSeconds", "must be between 1 and "
                    + limits.maxTimeLimit().toSeconds());
        }
        agent.name = definition.name().strip();
        agent.instructions = definition.instructions().strip();
        agent.tools = allowed;
        agent.model = model;
        agent.maxSteps = maxSteps;
        agent.timeLimitSeconds = timeLimit;
        agent.updatedAt = Instant.now();
    }
}
