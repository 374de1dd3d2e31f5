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
    void theWelcomeWaitsUntilTheOwnerHasProvedTheAddress() throws Exception {
        String email = MailFixtures.recipient("welcome");
        UUID userId = UUID.randomUUID();
        // Registered by anybody with this address, and a name they chose: nothing is mailed for that.
        publish(email, event("user.registered", Map.of("userId", userId, "email", email, "displayName", "Click here")));
        publish(email, event("user.email-verified", Map.of("userId", userId, "email", email, "displayName", "Ann",
                "verifiedAt", "2026-12-02T10:00:00Z")));

        MimeMessage mail = await().atMost(Duration.ofSeconds(30)).until(() -> mailsTo(email), l -> l.size() == 1).get(0);
        assertThat(mail.getSubject()).isEqualTo("Welcome to Meridian");
        assertThat(GreenMailUtil.getBody(mail)).contains("Ann").contains("http://localhost:8080");
        assertThat(deliveries(email)).containsExactly("SENT");
    }

    @Test
    void theSameEventTwiceSendsOneMail() throws Exception {
        String email = MailFixtures.recipient("twice");
        UUID userId = UUID.randomUUID();
        String event = event("user.email-verification-requested", Map.of("userId", userId, "email", email,
                "displayName", "Bo", "sealedToken", MailFixtures.sealed("tok-twice", "user.email-verification-requested", userId),
                "expiresAt", Instant.now().plusSeconds(3600).toString()));
        publish(email, event);
        publish(email, event);
        String marker = MailFixtures.recipient("marker");
        publish(marker, verifiedEvent(marker));

        await().atMost(Duration.ofSeconds(30)).until(() -> mailsTo(marker).size() == 1);
        assertThat(mailsTo(email)).hasSize(1);
        assertThat(deliveries(email)).hasSize(1);
    }

    @Test
    void resetAndVerificationMailsCarryTheirLinksWhichAreNeverStored() throws Exception {
        String email = MailFixtures.recipient("links");
        UUID userId = UUID.randomUUID();
        publish(email, event("user.password-reset-requested", Map.of("userId", userId, "email", email,
                "displayName", "Cy", "sealedToken", MailFixtures.sealed("reset-token-123", "user.password-reset-requested", userId),
                "expiresAt", "2026-11-25T12:00:00Z")));
        publish(email, event("user.email-verification-requested", Map.of("userId", userId, "email", email,
                "displayName", "Cy", "sealedToken", MailFixtures.sealed("verify-token-456", "user.email-verification-requested",
                        userId), "expiresAt", "2026-11-27T12:00:00Z")));

        List<MimeMessage> mails = await().atMost(Duration.ofSeconds(30)).until(() -> mailsTo(email), l -> l.size() == 2);
        String bodies = GreenMailUtil.getBody(mails.get(0)) + GreenMailUtil.getBody(mails.get(1));
        assertThat(bodies).contains("http://localhost:8080/reset-password?token=reset-token-123")
                .contains("http://localhost:8080/verify-email?token=verify-token-456");
        // What stays in the database: the bodies with a mark where the link was, and no secret, sealed or not.
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(email).equals(List.of("SENT", "SENT")));
        try (Connection connection = infra.database();
                PreparedStatement query = connection.prepareStatement(
                        "select d::text, sealed_secret from delivery d where recipient = ?")) {
            query.setString(1, email);
            ResultSet rows = query.executeQuery();
            int seen = 0;
            while (rows.next()) {
                seen++;
                assertThat(rows.getString(1)).doesNotContain("reset-token-123").doesNotContain("verify-token-456")
                        .contains("one-time link");
                assertThat(rows.getString(2)).isNull();
            }
            assertThat(seen).isEqualTo(2);
        }
    }

    @Test
    void aSecretSealedForAnotherContextIsNeverSent() throws Exception {
        String email = MailFixtures.recipient("replayed");
        UUID userId = UUID.randomUUID();
        // a verification token replayed as a reset (or for another user) does not open
        publish(email, event("user.password-reset-requested", Map.of("userId", userId, "email", email, "displayName", "R",
                "sealedToken", MailFixtures.sealed("not-for-this", "user.email-verification-requested", userId),
                "expiresAt", "2026-11-25T12:00:00Z")));
        await().atMost(Duration.ofSeconds(30)).until(() -> deliveries(email).equals(List.of("FAILED")));
        assertThat(mailsTo(email)).isEmpty();
    }

    @Test
    void withTheSmtpServerDownMailsWaitAndAllGoOutOnceItReturns() throws Exception {
        smtp.proxy().cut();
        List<String> recipients = List.of(MailFixtures.recipient("down1"), MailFixtures.recipient("down2"), MailFixtures.recipient("down3"));
        try {
            for (String email : recipients) {
                publish(email, verifiedEvent(email));
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
            publish(email, verifiedEvent(email));
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
        publish(good, verifiedEvent(good));

        await().atMost(Duration.ofSeconds(30)).until(() -> mailsTo(good).size() == 1);
        List<ConsumerRecord<String, String>> dead = await().atMost(Duration.ofSeconds(30)).until(
                () -> infra.kafkaClient().readAll("auth.users.dlq", Duration.ofSeconds(1), Duration.ofSeconds(10)),
                records -> records.stream().filter(r -> bad.equals(r.key())).count() == 2);
        assertThat(dead.stream().filter(r -> bad.equals(r.key())).map(r -> KafkaTestClient.header(r, "dead-letter-reason")))
                .anyMatch(reason -> reason.contains("no email"));
    }

    /** The owner proved the address: a welcome mail is owed. */
    private static String verifiedEvent(String email) {
        return event("user.email-verified", Map.of("userId", UUID.randomUUID(), "email", email, "displayName", "V",
                "verifiedAt", "2026-12-02T10:00:00Z"));
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
