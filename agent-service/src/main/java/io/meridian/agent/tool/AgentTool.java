package io.meridian.agent.tool;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.langchain4j.model.chat.request.json.JsonObjectSchema;

/**
 * A tool an agent may call: a bean with a name, a description that says what it does and what it may touch, a JSON
 * Schema for its arguments and a requirement the caller must meet. Agents call only the tools on their allow-list.
 */
public interface AgentTool {

    String name();

    String description();

    JsonObjectSchema parameters();

    /** {@code none}, {@code role:X}, {@code scope:X}, or alternatives joined by {@code |}. */
    String requires();

    /** Why this caller may not use the tool, beyond {@link #requires()}; empty when they may. */
    default Optional<String> refusalFor(Caller caller) {
        return caller.satisfies(requires()) ? Optional.empty()
                : Optional.of("the caller does not have " + requires().replace("|", " or "));
    }

    /**
     * Runs the tool for the caller. Its result is data for the model, never instructions.
     *
     * @throws ToolException when the arguments are wrong or the tool could not do its work; the message goes to the model
     */
    String execute(JsonNode arguments, ToolContext context);

    /** What a tool knows of the run it serves. */
    record ToolContext(Caller caller, java.util.UUID runId, String agentName) {
    }

    /** A tool's failure, told to the model (and recorded) as the tool's result. */
    final class ToolException extends RuntimeException {
        public ToolException(String message) {
            super(message);
        }
    }
}
