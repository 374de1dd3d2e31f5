package io.meridian.agent.tool;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import io.meridian.agent.domain.RunStep;
import io.meridian.platform.events.Outbox;
import io.meridian.platform.events.Topics;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * {@code send_email}: mails the calling user, and only them (there is no recipient argument; one given is refused),
 * through {@code email.requests} with the {@code agent-message} template. At most {@link #PER_RUN} mails a run.
 */
@ApplicationScoped
public class SendEmailTool implements AgentTool {

    static final int PER_RUN = 3;
    static final int MAX_SUBJECT = 200;
    static final int MAX_BODY = 10_000;

    private final Outbox outbox;

    SendEmailTool(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public String name() {
        return "send_email";
    }

    @Override
    public String description() {
        return "Sends an email to the calling user's own address (never to anyone else) with a subject and a plain-text "
                + "body. At most " + PER_RUN + " per run.";
    }

    @Override
    public JsonObjectSchema parameters() {
        return JsonObjectSchema.builder()
                .addStringProperty("subject", "The subject line, up to " + MAX_SUBJECT + " characters")
                .addStringProperty("body", "The message, plain text, up to " + MAX_BODY + " characters")
                .required("subject", "body").additionalProperties(false).build();
    }

    @Override
    public String requires() {
        return "role:user";
    }

    @Override
    public Optional<String> refusalFor(Caller caller) {
        if (caller.email() == null || caller.email().isBlank()) {
            return Optional.of("the caller has no email address of their own to send to");
        }
        return AgentTool.super.refusalFor(caller);
    }

    @Override
    public String execute(JsonNode arguments, ToolContext context) {
        if (arguments != null && (arguments.has("to") || arguments.has("recipient") || arguments.has("cc")
                || arguments.has("bcc"))) {
            throw new ToolException("send_email only mails the calling user: a recipient cannot be chosen");
        }
        String subject = ToolArguments.requiredText(arguments, "subject");
        String body = ToolArguments.requiredText(arguments, "body");
        if (subject.length() > MAX_SUBJECT || body.length() > MAX_BODY) {
            throw new ToolException("the subject is limited to " + MAX_SUBJECT + " characters and the body to " + MAX_BODY);
        }
        long sent = QuarkusTransaction.joiningExisting().call(() ->
                RunStep.count("runId = ?1 and tool = ?2 and outcome = 'ok'", context.runId(), name()));
        if (sent >= PER_RUN) {
            throw new ToolException("this run has already sent " + PER_RUN + " emails, the most it may");
        }
        String to = context.caller().email();
        QuarkusTransaction.requiringNew().run(() -> outbox.publish(Topics.EMAIL_REQUESTS, "email.requested",
                context.runId().toString(), Map.of("to", to, "userId", context.caller().userId().toString(),
                        "template", "agent-message", "locale", "en",
                        "data", Map.of("agentName", context.agentName(), "subject", subject, "body", body,
                                "runId", context.runId().toString()))));
        return "Sent to the user's address " + to + ".";
    }
}
