package io.meridian.agent.rest;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.agent.domain.Agent;
import io.meridian.agent.domain.Run;
import io.meridian.agent.domain.RunStep;

/** What the API answers: agents, runs and their steps (entities never leave as JSON). */
public final class Views {

    private Views() {
    }

    public record AgentView(UUID id, String name, String instructions, List<String> tools, String model, int maxSteps,
            int timeLimitSeconds, Instant createdAt, Instant updatedAt) {

        static AgentView of(Agent agent) {
            return new AgentView(agent.id, agent.name, agent.instructions, agent.tools, agent.model, agent.maxSteps,
                    agent.timeLimitSeconds, agent.createdAt, agent.updatedAt);
        }
    }

    /** A step: {@code arguments} is the tool's JSON arguments as the model gave them (text if they were not JSON). */
    public record StepView(int index, int attempt, String kind, String tool, String outcome, JsonNode arguments,
            String result, long durationMs, Integer inputTokens, Integer outputTokens, Instant createdAt) {

        static StepView of(RunStep step, ObjectMapper mapper) {
            JsonNode arguments = null;
            if (step.arguments != null) {
                try {
                    arguments = mapper.readTree(step.arguments);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    arguments = mapper.getNodeFactory().textNode(step.arguments);
                }
            }
            return new StepView(step.index, step.attempt, step.kind, step.tool, step.outcome, arguments, step.result,
                    step.durationMs, step.inputTokens, step.outputTokens, step.createdAt);
        }
    }

    public record Usage(int inputTokens, int outputTokens) {
    }

    public record RunView(UUID id, UUID agentId, UUID conversationId, Run.Status status, String input, String output,
            String error, String model, @JsonProperty("notify") boolean notifyOwner, int attempts, List<StepView> steps, Usage usage,
            Instant createdAt, Instant startedAt, Instant finishedAt) {

        static RunView of(Run run, List<RunStep> steps, ObjectMapper mapper) {
            return new RunView(run.id, run.agentId, run.conversationId, run.status, run.input, run.output, run.error,
                    run.model, run.notify, run.attempts, steps.stream().map(s -> StepView.of(s, mapper)).toList(),
                    new Usage(run.inputTokens, run.outputTokens), run.createdAt, run.startedAt, run.finishedAt);
        }
    }
}
