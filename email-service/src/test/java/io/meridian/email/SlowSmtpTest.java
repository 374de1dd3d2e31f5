package io.meridian.email;

import static io.meridian.email.MailFixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.meridian.testsupport.InjectSmtp;
import io.meridian.testsupport.SmtpServer;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A mail is sent once even when the SMTP server is slow (issue 18, item 6): the delivery is claimed and committed
 * before it goes out, no row lock is held while SMTP takes its time, and an acceptance that comes after the sender
 * stopped waiting ({@code send-timeout}, 5 s here) is recorded as sent, not tried again.
 */
@QuarkusTest
class SlowSmtpTest {

    @InjectInfrastructure
    Infrastructure infra;
    @InjectSmtp
    SmtpServer smtp;

    @Test
    void anAcceptancePastTheSendTimeoutIsOneMailWithItsOwnMessageId() throws Exception {
        String email = MailFixtures.verified(infra, MailFixtures.recipient("slow"));
        // every reply of the server held 1.5 s: from 4 replies on a kept-alive connection (MAIL, RCPT, DATA and the
        // final 250) to 6 on a new one, past the sender's 5 s of waiting and inside the mailer's 10 s
        smtp.proxy().delayReplies(Duration.ofMillis(1_500));
        try {
            infra.kafkaClient().publishEvent("email.requests", email, event("agent-service", "email.requested", email,
                    Map.of("to", email, "template", "welcome", "data", Map.of("displayName", "Slow", "email", email))));
            // while it is on its way the row is SENDING and not locked: the API and the housekeeping read it
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> "SENDING".equals(status(email)));
            long started = System.nanoTime();
            assertThat(lockedRows(email)).isZero();
            await().atMost(Duration.ofSeconds(40)).until(() -> MailFixtures.mailsTo(smtp, email).size() == 1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the server's acceptance came after send-timeout")
                    .isGreaterThan(Duration.ofSeconds(5));
        } finally {
            smtp.proxy().restore();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> "SENT".equals(status(email)));
        Thread.sleep(3_000); // time for a second copy, were one on its way
        List<MimeMessage> mails = MailFixtures.mailsTo(smtp, email);
        assertThat(mails).hasSize(1);
        assertThat(messageId(mails.get(0))).isEqualTo(storedMessageId(email)).matches("<[0-9a-f-]{36}@meridian.local>");
        assertThat(attempts(email)).isEqualTo(1);
    }

    private String status(String email) throws Exception {
        return single("select status from delivery where recipient = ?", email);
    }

    private String storedMessageId(String email) throws Exception {
        return single("select message_id from delivery where recipient = ?", email);
    }

    private int attempts(String email) throws Exception {
        return Integer.parseInt(single("select attempts::text from delivery where recipient = ?", email));
    }

    /** Rows of the delivery another transaction holds locked (a lock held while SMTP is slow would show here). */
    private int lockedRows(String email) throws Exception {
        try (Connection connection = infra.database();
                PreparedStatement query = connection.prepareStatement(
                        "select count(*) from (select id from delivery where recipient = ? for update skip locked) free")) {
            connection.setAutoCommit(false);
            query.setString(1, email);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                int unlocked = rows.getInt(1);
                connection.rollback();
                return 1 - unlocked;
            }
        }
    }

    private String single(String sql, String email) throws Exception {
        try (Connection connection = infra.database(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, email);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private static String messageId(MimeMessage message) {
        try {
            return message.getMessageID();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
