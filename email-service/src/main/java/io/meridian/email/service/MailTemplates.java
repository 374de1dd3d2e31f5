package io.meridian.email.service;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.meridian.email.config.EmailConfig;
import io.quarkus.qute.Engine;
import io.quarkus.qute.Template;

/**
 * The mail templates (Qute, under {@code templates/mail/}: an HTML and a plain-text part each, and a subject), with
 * the variables each expects. {@code baseUrl} is always there: the platform as users reach it.
 */
@ApplicationScoped
public class MailTemplates {

    public record Info(String name, String description, List<String> variables) {
    }

    public record Rendered(String subject, String html, String text) {
    }

    private record Spec(String description, String subject, List<String> variables) {
    }

    private static final Map<String, Spec> SPECS = Map.of(
            "agent-message", new Spec("A message an agent's send_email tool sends to its own user",
                    "A message from your Meridian agent", List.of("agentName", "subject", "body", "runId")),
            "welcome", new Spec("Sent when an account's address is verified", "Welcome to Meridian",
                    List.of("displayName", "email")),
            "verify-email", new Spec("Asks the owner to confirm the address", "Confirm your email address",
                    List.of("email", "link", "expiresAt")),
            "password-reset", new Spec("Carries the password reset link", "Reset your Meridian password",
                    List.of("link", "expiresAt")),
            "password-changed", new Spec("Tells the owner the password changed", "Your Meridian password was changed",
                    List.of("displayName", "reason", "changedAt")),
            "run-completed", new Spec("An agent run the user asked to hear about has finished",
                    "Your agent run has finished: {status}", List.of("agentName", "runId", "status")));

    /** The longest text a value may put into a mail. */
    static final int MAX_VALUE = 20_000;

    private final Engine engine;
    private final String baseUrl;

    MailTemplates(Engine engine, EmailConfig config) {
        this.engine = engine;
        this.baseUrl = config.publicBaseUrl().replaceAll("/$", "");
    }

    public List<Info> all() {
        return SPECS.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> new Info(e.getKey(), e.getValue().description(), e.getValue().variables())).toList();
    }

    public Optional<Info> find(String name) {
        Spec spec = SPECS.get(name);
        return spec == null ? Optional.empty() : Optional.of(new Info(name, spec.description(), spec.variables()));
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Renders the template; throws {@link io.quarkus.qute.TemplateException} when data is missing or wrong. */
    public Rendered render(String name, Map<String, Object> data) {
        Spec spec = SPECS.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("no template " + name);
        }
        Map<String, Object> values = new HashMap<>();
        // What users wrote is bounded (subjects are neutral and hold none of it).
        data.forEach((key, value) -> values.put(key, value instanceof String text && text.length() > MAX_VALUE
                ? text.substring(0, MAX_VALUE) + "…" : value));
        values.put("baseUrl", baseUrl);
        Template html = engine.getTemplate("mail/" + name + ".html");
        Template text = engine.getTemplate("mail/" + name + ".txt");
        return new Rendered(fill(engine.parse(spec.subject()), values), fill(html, values), fill(text, values));
    }

    private static String fill(Template template, Map<String, Object> values) {
        var instance = template.instance();
        values.forEach(instance::data);
        return instance.render();
    }
}
