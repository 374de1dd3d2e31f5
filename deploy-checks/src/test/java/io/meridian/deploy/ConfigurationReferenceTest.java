package io.meridian.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docs/deployment/configuration.md lists, per service, exactly the environment variables that service's
 * configuration reads (the {@code ${VARIABLE:default}} placeholders of its application.properties, outside the
 * %dev and %test profiles), with the same defaults; the platform's defaults are listed once for every service.
 */
class ConfigurationReferenceTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]+):?([^}]*)}");
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Z][A-Z0-9_]+)` \\| `[^`]+` \\| (?:`([^`]*)`|\\(none\\)) \\|");
    private static final String PLATFORM = "Every service (platform defaults)";

    @Test
    void theReferenceListsEveryVariableTheCodeReadsWithItsDefaultAndNoOther() throws IOException {
        Map<String, Path> sources = new LinkedHashMap<>();
        sources.put(PLATFORM, Repository.ROOT.resolve(
                "platform/service-defaults/src/main/resources/META-INF/microprofile-config.properties"));
        for (String service : List.of("gateway", "auth-service", "rag-service", "agent-service", "cache-service", "email-service")) {
            sources.put(service, Repository.ROOT.resolve(service + "/src/main/resources/application.properties"));
        }
        Map<String, Map<String, String>> documented = documented();
        assertThat(documented.keySet()).containsExactlyInAnyOrderElementsOf(sources.keySet());
        sources.forEach((section, file) -> {
            Map<String, String> read = read(file);
            assertThat(new TreeSet<>(documented.get(section).keySet())).as("variables of %s", section)
                    .containsExactlyElementsOf(new TreeSet<>(read.keySet()));
            read.forEach((variable, value) -> assertThat(documented.get(section).get(variable))
                    .as("default of %s in %s", variable, section).isEqualTo(value));
        });
    }

    private static Map<String, String> read(Path file) {
        Map<String, String> variables = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("#") || line.startsWith("%")) {
                    continue;
                }
                Matcher m = PLACEHOLDER.matcher(line);
                while (m.find()) {
                    variables.putIfAbsent(m.group(1), m.group(2));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return variables;
    }

    private static Map<String, Map<String, String>> documented() throws IOException {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String line : Files.readAllLines(Repository.ROOT.resolve("docs/deployment/configuration.md"))) {
            if (line.startsWith("## ")) {
                current = new LinkedHashMap<>();
                sections.put(line.substring(3).strip(), current);
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (current != null && row.find()) {
                current.put(row.group(1), row.group(2) == null ? "" : row.group(2));
            }
        }
        return sections;
    }
}
