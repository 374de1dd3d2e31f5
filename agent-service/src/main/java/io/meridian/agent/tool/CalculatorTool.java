package io.meridian.agent.tool;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.langchain4j.model.chat.request.json.JsonObjectSchema;

/** {@code calculator}: evaluates an arithmetic expression with {@link Calculator} (a parser, not a script engine). */
@ApplicationScoped
public class CalculatorTool implements AgentTool {

    @Override
    public String name() {
        return "calculator";
    }

    @Override
    public String description() {
        return "Evaluates an arithmetic expression and returns its value. Supports + - * / % ^, parentheses, pi, e and "
                + "sqrt abs ln log10 exp sin cos tan floor ceil round. Touches nothing outside itself.";
    }

    @Override
    public JsonObjectSchema parameters() {
        return JsonObjectSchema.builder()
                .addStringProperty("expression", "The expression, for example (2 + 3) * 4 ^ 2")
                .required("expression").additionalProperties(false).build();
    }

    @Override
    public String requires() {
        return "none";
    }

    @Override
    public String execute(JsonNode arguments, ToolContext context) {
        String expression = ToolArguments.requiredText(arguments, "expression");
        try {
            return Calculator.format(Calculator.evaluate(expression));
        } catch (Calculator.SyntaxError e) {
            throw new ToolException("cannot evaluate: " + e.getMessage());
        }
    }
}
