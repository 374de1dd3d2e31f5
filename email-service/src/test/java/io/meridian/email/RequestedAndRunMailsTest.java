package io.meridian.email;

import static io.meridian.email.MailFixtures.event;
import static io.meridian.email.MailFixtures.recipient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.internet.MimeMessage;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMailUtil;

import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.meridian.testsupport.InjectSmtp;
import io.meridian.testsupport.KafkaTestClient;
import io.meridian.testsupport.SmtpServer;
import io.quarkus.test.junit.QuarkusTest;

/** Mails other services ask for on {@code email.requests}, and agent-run notifications from {@code agent.runs}. */
@QuarkusTest
class RequestedAndRunMailsTest {

    @InjectInfrastructure
    Infrastructure infra;
    @InjectSmtp
    SmtpServer smtp;

    @Test
    void aRequestedMailIsRenderedAndSentOnceEvenWhenTheEventComesTwice() {
        String email = verified("requested");
        String request = event("agent-service", "email.requested", email, Map.of("to", email, "template", "password-changed",
                "data", Map.of("displayName", "Dee", "reason", "changed by the user", "changedAt", "2026-11-25T10:00:00Z")));
        infra.kafkaClient().publishEvent("email.requests", email, request);
        infra.kafkaClient().publishEvent("email.requests", email, request);
        String marker = verified("requested-marker");
        infra.kafkaClient().publishEvent("email.requests", marker, event("rag-service", "email.requested", marker,
                Map.of("to", marker, "template", "welcome", "data", Map.of("displayName", "M", "email", marker))));

        await().atMost(Duration.ofSeconds(30)).until(() -> mails(marker).size() == 1);
        List<MimeMessage> mails = mails(email);
        assertThat(mails).hasSize(1);
        assertThat(subject(mails.get(0))).isEqualTo("Your Meridian password was changed");
        assertThat(GreenMailUtil.getBody(mails.get(0))).contains("Dee").contains("changed by the user");
        assertThat(MailFixtures.deliveries(infra, email)).containsExactly("SENT");
    }

    @Test
    void badRequestsGoToTheDeadLetterTopicWithTheirReasonAndTheNextIsMailed() {
        String key = "bad-" + UUID.randomUUID();
        infra.kafkaClient().publishEvent("email.requests", key, event("agent-service", "email.requested", key,
                Map.of("to", "not-an-address", "template", "welcome", "data", Map.of())));
        infra.kafkaClient().publishEvent("email.requests", key, event("agent-service", "email.requested", key,
                Map.of("to", verified("unknown-template"), "template", "no-such-template", "data", Map.of())));
        String good = verified("after-bad");
        infra.kafkaClient().publishEvent("email.requests", key, event("agent-service", "email.requested", key,
                Map.of("to", good, "template", "welcome", "data", Map.of("displayName", "G", "email", good))));

        await().atMost(Duration.ofSeconds(30)).until(() -> mails(good).size() == 1);
        List<String> reasons = deadLetterReasons("email.requests.dlq", key, 2);
        assertThat(reasons).anyMatch(reason -> reason.contains("to") && reason.contains("email address"))
                .anyMatch(reason -> reason.contains("no template no-such-template"));
    }

    @Test
    void aTemplateThatCannotBeRenderedFailsThatDeliveryOnly() {
        String broken = verified("missing-data");
        infra.kafkaClient().publishEvent("email.requests", broken, event("agent-service", "email.requested", broken,
                Map.of("to", broken, "template", "password-reset", "data", Map.of("displayName", "X"))));
        String good = verified("after-missing-data");
        infra.kafkaClient().publishEvent("email.requests", good, event("agent-service", "email.requested", good,
                Map.of("to", good, "template", "welcome", "data", Map.of("displayName", "G", "email", good))));

        await().atMost(Duration.ofSeconds(30)).until(() -> mails(good).size() == 1);
        assertThat(MailFixtures.deliveries(infra, broken)).containsExactly("FAILED");
        assertThat(mails(broken)).isEmpty();
    }

    @Test
    void aRunThatAskedForNotificationMailsItsOwnerAndOthersDoNot() {
        String notified = verified("run-owner");
        String silent = verified("run-silent");
        String runId = UUID.randomUUID().toString();
        publishRun("run.requested", runId, notified, true, "QUEUED");
        publishRun("run.completed", UUID.randomUUID().toString(), silent, false, "SUCCEEDED");
        publishRun("run.completed", runId, notified, true, "SUCCEEDED");
        String failedRun = UUID.randomUUID().toString();
        publishRun("run.failed", failedRun, notified, true, "FAILED");

        List<MimeMessage> mails = await().atMost(Duration.ofSeconds(30)).until(() -> mails(notified), l -> l.size() == 2);
        assertThat(mails).extracting(RequestedAndRunMailsTest::subject).containsExactlyInAnyOrder(
                "Your agent run has finished: SUCCEEDED", "Your agent run has finished: FAILED");
        String bodies = GreenMailUtil.getBody(mails.get(0)) + GreenMailUtil.getBody(mails.get(1));
        assertThat(bodies).contains("http://localhost:8080/agents/runs/" + runId)
                .contains("http://localhost:8080/agents/runs/" + failedRun).contains("Researcher");
        assertThat(mails(silent)).isEmpty();
        assertThat(MailFixtures.deliveries(infra, silent)).isEmpty();
    }

    @Test
    void aNotificationWithoutAnAddressGoesToTheRunsDeadLetterTopic() {
        String runId = UUID.randomUUID().toString();
        infra.kafkaClient().publishEvent("agent.runs", runId, event("agent-service", "run.completed", runId,
                Map.of("runId", runId, "status", "SUCCEEDED", "notify", true)));

        assertThat(deadLetterReasons("agent.runs.dlq", runId, 1)).anyMatch(reason -> reason.contains("no email"));
    }

    @Test
    void mailOnAUsersBehalfGoesOnlyToAnAddressItsOwnerProvedWithANeutralSubject() {
        String unproved = MailFixtures.recipient("someone-elses");
        String userId = UUID.randomUUID().toString();
        infra.kafkaClient().publishEvent("email.requests", unproved, event("agent-service", "email.requested", unproved,
                Map.of("to", unproved, "userId", userId, "template", "agent-message", "data", Map.of("agentName", "Helper",
                        "subject", "URGENT: confirm your bank details", "body", "Written by whoever registered.",
                        "runId", UUID.randomUUID().toString()))));
        await().atMost(Duration.ofSeconds(30)).until(() -> MailFixtures.deliveries(infra, unproved).equals(List.of("FAILED")));
        assertThat(mails(unproved)).isEmpty();

        // The owner proves the address (auth-service's event): the same kind of mail goes out, its subject neutral.
        infra.kafkaClient().publishEvent("auth.users", userId, event("auth-service", "user.email-verified", userId,
                Map.of("userId", userId, "email", unproved, "displayName", "Owner", "verifiedAt", "2026-12-02T10:00:00Z")));
        await().atMost(Duration.ofSeconds(30)).until(() -> mails(unproved).size() == 1); // the welcome
        infra.kafkaClient().publishEvent("email.requests", unproved, event("agent-service", "email.requested", unproved,
                Map.of("to", unproved, "userId", userId, "template", "agent-message", "data", Map.of("agentName", "Helper",
                        "subject", "URGENT: confirm your bank details", "body", "Now the owner's own agent.",
                        "runId", UUID.randomUUID().toString()))));
        List<MimeMessage> received = await().atMost(Duration.ofSeconds(30)).until(() -> mails(unproved), l -> l.size() == 2);
        assertThat(received).extracting(RequestedAndRunMailsTest::subject)
                .containsExactlyInAnyOrder("Welcome to Meridian", "A message from your Meridian agent");
    }

    @Test
    void everyTemplateHasAnHourlyLimitPerRecipientAndPerUser() {
        String inbox = verified("limited");
        String userId = UUID.randomUUID().toString();
        for (int i = 0; i < 7; i++) { // the test profile allows 6 of a template to one recipient an hour
            infra.kafkaClient().publishEvent("email.requests", inbox, event("agent-service", "email.requested", inbox,
                    Map.of("to", inbox, "template", "agent-message", "data", Map.of("agentName", "A", "subject", "s" + i,
                            "body", "b", "runId", UUID.randomUUID().toString()))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> MailFixtures.deliveries(infra, inbox).size() == 7);
        assertThat(MailFixtures.deliveries(infra, inbox)).filteredOn("FAILED"::equals).hasSize(1);

        // and 10 mails an hour for one user, whatever the recipients
        List<String> inboxes = new java.util.ArrayList<>();
        for (int i = 0; i < 11; i++) {
            String each = verified("per-user-" + i);
            inboxes.add(each);
            publishRun("run.completed", UUID.randomUUID().toString(), each, true, "SUCCEEDED", userId);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> inboxes.stream()
                .allMatch(each -> MailFixtures.deliveries(infra, each).size() == 1));
        assertThat(inboxes.stream().flatMap(each -> MailFixtures.deliveries(infra, each).stream())
                .filter("FAILED"::equals).count()).isEqualTo(1);
    }

    private void publishRun(String type, String runId, String email, boolean notify, String status) {
        publishRun(type, runId, email, notify, status, UUID.randomUUID().toString());
    }

    private void publishRun(String type, String runId, String email, boolean notify, String status, String userId) {
        infra.kafkaClient().publishEvent("agent.runs", runId, event("agent-service", type, runId, Map.of("runId", runId,
                "agentId", UUID.randomUUID().toString(), "agentName", "Researcher", "userId", userId,
                "email", email, "status", status, "notify", notify)));
    }


    private List<String> deadLetterReasons(String topic, String key, int expected) {
        List<ConsumerRecord<String, String>> dead = await().atMost(Duration.ofSeconds(30)).until(
                () -> infra.kafkaClient().readAll(topic, Duration.ofSeconds(1), Duration.ofSeconds(10)),
                records -> records.stream().filter(r -> key.equals(r.key())).count() == expected);
        return dead.stream().filter(r -> key.equals(r.key()))
                .map(r -> KafkaTestClient.header(r, "dead-letter-reason")).toList();
    }

    /** A fresh address its owner has proved: mail on a user's behalf goes only to such. */
    private String verified(String prefix) {
        return MailFixtures.verified(infra, MailFixtures.recipient(prefix));
    }

    private List<MimeMessage> mails(String email) {
        return MailFixtures.mailsTo(smtp, email);
    }

    private static String subject(MimeMessage mail) {
        try {
            return mail.getSubject();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
