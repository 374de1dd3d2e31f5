package io.meridian.agent.tool;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.internal.JsonSchemaElementUtils;

/** Every tool bean, by name, and their specifications as the model and the API see them. */
@ApplicationScoped
public class ToolRegistry {

    /** A tool as {@code GET /api/agents/tools} shows it. */
    public record ToolInfo(String name, String description, Map<String, Object> parameters, String requires) {
    }

    private final Map<String, AgentTool> tools = new LinkedHashMap<>();

    ToolRegistry(Instance<AgentTool> beans) {
        beans.stream().sorted(Comparator.comparing(AgentTool::name)).forEach(tool -> tools.put(tool.name(), tool));
    }

    public Optional<AgentTool> find(String name) {
        return Optional.ofNullable(name == null ? null : tools.get(name));
    }

    public boolean exists(String name) {
        return tools.containsKey(name);
    }

    public List<ToolInfo> all() {
        return tools.values().stream().map(t -> new ToolInfo(t.name(), t.description(),
                JsonSchemaElementUtils.toMap(t.parameters()), t.requires())).toList();
    }

    /** The specifications of the named tools, for the model: it is offered these and no others. */
    public List<ToolSpecification> specifications(List<String> names) {
        return names.stream().map(tools::get).filter(java.util.Objects::nonNull)
                .map(t -> ToolSpecification.builder().name(t.name()).description(t.description())
                        .parameters(t.parameters()).build())
                .toList();
    }
}
