package io.meridian.agent.tool;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads a tool's arguments; a missing or mistyped one is a {@link AgentTool.ToolException} for the model. */
final class ToolArguments {

    private ToolArguments() {
    }

    static String requiredText(JsonNode arguments, String name) {
        String value = optionalText(arguments, name);
        if (value == null) {
            throw new AgentTool.ToolException("the argument " + name + " is required");
        }
        return value;
    }

    static String optionalText(JsonNode arguments, String name) {
        JsonNode value = arguments == null ? null : arguments.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new AgentTool.ToolException("the argument " + name + " must be a string");
        }
        return value.asText().isBlank() ? null : value.asText();
    }

    static Integer optionalInt(JsonNode arguments, String name, int min, int max) {
        JsonNode value = arguments == null ? null : arguments.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < min || value.asInt() > max) {
            throw new AgentTool.ToolException("the argument " + name + " must be a whole number from " + min + " to " + max);
        }
        return value.asInt();
    }
}
