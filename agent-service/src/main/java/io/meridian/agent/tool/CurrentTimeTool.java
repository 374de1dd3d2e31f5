package io.meridian.agent.tool;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.langchain4j.model.chat.request.json.JsonObjectSchema;

/** {@code current_time}: the current date and time, in UTC or a named time zone. */
@ApplicationScoped
public class CurrentTimeTool implements AgentTool {

    private final Clock clock = Clock.systemUTC();

    @Override
    public String name() {
        return "current_time";
    }

    @Override
    public String description() {
        return "Returns the current date and time as ISO-8601, in UTC or in the IANA time zone given (for example "
                + "Europe/Paris). Touches nothing outside itself.";
    }

    @Override
    public JsonObjectSchema parameters() {
        return JsonObjectSchema.builder()
                .addStringProperty("timeZone", "An IANA time zone id; UTC when absent")
                .additionalProperties(false).build();
    }

    @Override
    public String requires() {
        return "none";
    }

    @Override
    public String execute(JsonNode arguments, ToolContext context) {
        String zone = ToolArguments.optionalText(arguments, "timeZone");
        try {
            ZoneId id = zone == null ? ZoneId.of("UTC") : ZoneId.of(zone);
            return ZonedDateTime.now(clock.withZone(id)).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " (" + id + ")";
        } catch (DateTimeException e) {
            throw new ToolException("unknown time zone " + zone);
        }
    }
}
