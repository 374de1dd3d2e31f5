package io.meridian.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
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

/** auth-service's events, as it publishes them, turn into mails at a real SMTP server, once each. */
@QuarkusTest
class AuthUserMailsTest {

    @InjectInfrastructure
    Infrastructure infra;
    @InjectSmtp
    SmtpServer smtp;

    @Test
    void registrationSendsOneWelcomeMail() throws Exception {
        String email = MailFixtures.recipient("welcome");
        String event = event("user.registered", Map.of("userId", UUID.randomUUID(), "email", email, "displayName", "Ann"));
        publish(email, event);

        MimeMessage mail = await().atMost(Duration.ofSeconds(30)).until(() -> mailsTo(email), l -> l.size() == 1).get(0);
        assertThat(mail.getSubject()).isEqualTo("Welcome to Meridian, Ann");
        assertThat(GreenMailUtil.getBody(mail)).contains("Ann").contains("http://localhost:8080");
    }

    @Test
    void theSameEventTwiceSendsOneMail() throws Exception {
        String email = MailFixtures.recipient("twice");
        String event = event("user.email-verification-requested", Map.of("userId", UUID.randomUUID(), "email", email,
                "displayName", "Bo", "token", "tok-twice", "expiresAt", Instant.now().plusSeconds(3600).toString()));
        publish(email, event);
        publish(email, event);
        String marker = MailFixtures.recipient("marker");
        publish(marker, event("user.registered", Map.of("userId", UUID.randomUUID(), "email", marker, "displayName", "M")));

        await().atMost(Duration.ofSeconds(30)).until(() -> mailsTo(marker).size() == 1);
        assertThat(mailsTo(email)).hasSize(1);
        assertThat(deliveries(email)).hasSize(1);
    }

    @Test
    void resetAndVerificationMailsCarryTheirLinks() throws Exception {
        String email = MailFixtures.recipient("links");
        publish(email, event("user.password-reset-requested", Map.of("userId", UUID.randomUUID(), "email", email,
                "displayName", "Cy", "token", "reset-token-123", "expiresAt", "2026-11-25T12:00:00Z")));
        publish(email, event("user.email-verification-requested", Map.of("userId", UUID.randomUUID(), "email", email,
                "displayName", "Cy", "token", "verify-token-456", "expiresAt", "2026-11-27T12:00:00Z")));

        List<MimeMessage> mails = await().atMost(Duration.ofSeconds(30)).until(() -> mailsTo(email), l -> l.size() == 2);
        String bodies = GreenMailUtil.getBody(mails.get(0)) + GreenMailUtil.getBody(mails.get(1));
        assertThat(bodies).contains("http://localhost:8080/reset-password?token=reset-token-123")
                .contains("http://localhost:8080/verify-email?token=verify-token-456");
    }

    @Test
    void withTheSmtpServerDownMailsWaitAndAllGoOutOnceItReturns() throws Exception {
        smtp.proxy().cut();
        List<String> recipients = List.of(MailFixtures.recipient("down1"), MailFixtures.recipient("down2"), MailFixtures.recipient("down3"));
        try {
            for (String email : recipients) {
                publish(email, event("user.registered", Map.of("userId", UUID.randomUUID(), "email", email, "displayName", "D")));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> recipients.stream()
                    .allMatch(email -> deliveries(email).equals(List.of("RETRYING"))));
            assertThat(recipients).allMatch(email -> mailsTo(email).isEmpty());
        } finally {
            smtp.proxy().restore();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> recipients.stream()
                .allMatch(email -> deliveries(email).equals(List.of("SENT"))));
        for (String email : recipients) {
            assertThat(mailsTo(email)).hasSize(1);
        }
    }

    @Test
    void afterTheRetryBudgetADeliveryFailsWithItsReason() throws Exception {
        String email = MailFixtures.recipient("budget");
        smtp.proxy().cut();
        try {
            publish(email, event("user.registered", Map.of("userId", UUID.randomUUID(), "email", email, "displayName", "F")));
            await().atMost(Duration.ofSeconds(60)).until(() -> deliveries(email).equals(List.of("FAILED")));
        } finally {
            smtp.proxy().restore();
        }
        try (Connection connection = infra.database();
                PreparedStatement query = connection.prepareStatement("select attempts, last_error from delivery where recipient = ?")) {
            query.setString(1, email);
            ResultSet row = query.executeQuery();
            row.next();
            assertThat(row.getInt(1)).isEqualTo(5);
            assertThat(row.getString(2)).isNotBlank();
        }
    }

    @Test
    void aMalformedEventGoesToTheDeadLetterTopicAndTheNextIsStillMailed() throws Exception {
        String bad = MailFixtures.recipient("bad");
        publish(bad, event("user.registered", Map.of("userId", UUID.randomUUID(), "displayName", "No email")));
        publish(bad, "{ not json");
        String good = MailFixtures.recipient("good");
        publish(good, event("user.registered", Map.of("userId", UUID.randomUUID(), "email", good, "displayName", "G")));

        await().atMost(Duration.ofSeconds(30)).until(() -> mailsTo(good).size() == 1);
        List<ConsumerRecord<String, String>> dead = await().atMost(Duration.ofSeconds(30)).until(
                () -> infra.kafkaClient().readAll("auth.users.dlq", Duration.ofSeconds(1), Duration.ofSeconds(10)),
                records -> records.stream().filter(r -> bad.equals(r.key())).count() == 2);
        assertThat(dead.stream().filter(r -> bad.equals(r.key())).map(r -> KafkaTestClient.header(r, "dead-letter-reason")))
                .anyMatch(reason -> reason.contains("no email"));
    }

    private void publish(String key, String value) {
        infra.kafkaClient().publishEvent("auth.users", key, value);
    }

    private static String event(String type, Map<String, Object> data) {
        return MailFixtures.event("auth-service", type, String.valueOf(data.get("userId")), data);
    }

    private List<MimeMessage> mailsTo(String email) {
        return MailFixtures.mailsTo(smtp, email);
    }

    private List<String> deliveries(String email) {
        return MailFixtures.deliveries(infra, email);
    }
}
