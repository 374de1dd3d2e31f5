package io.meridian.email;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.platform.events.EventEnvelope;
import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.SmtpServer;

/** Events as other services publish them, and what the tests look at: mails received and delivery rows. */
public final class MailFixtures {

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    private MailFixtures() {
    }

    /** A recipient no other test uses. */
    public static String recipient(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    /** A CloudEvents envelope as the outbox relay of {@code service} writes it. */
    public static String event(String service, String type, String subject, Map<String, ?> data) {
        try {
            return JSON.writeValueAsString(new EventEnvelope("1.0", UUID.randomUUID().toString(), "/meridian/" + service,
                    type, Instant.now(), subject, "application/json", JSON.valueToTree(data)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code email} as an address its owner proved (what email-service records from {@code user.email-verified}). */
    public static String verified(Infrastructure infra, String email) {
        try (Connection connection = infra.database();
                PreparedStatement insert = connection.prepareStatement(
                        "insert into recipient (user_id, email, verified, updated_at) values (?, ?, true, now())")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setString(2, email);
            insert.executeUpdate();
            return email;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A one-time token sealed as auth-service seals it for email-service (the test profile's key). */
    public static String sealed(String token, String type, Object userId) {
        String key = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("meridian.email.mail-link-key",
                String.class);
        return io.meridian.platform.security.Sealer.ofBase64(key, "test key").seal(token, type + ":" + userId);
    }

    public static List<MimeMessage> mailsTo(SmtpServer smtp, String email) {
        return Arrays.stream(smtp.mail().getReceivedMessages()).filter(message -> {
            try {
                return message.getAllRecipients()[0].toString().equals(email);
            } catch (MessagingException e) {
                return false;
            }
        }).toList();
    }

    /** The statuses of the deliveries to {@code email}. */
    public static List<String> deliveries(Infrastructure infra, String email) {
        try (Connection connection = infra.database();
                PreparedStatement query = connection.prepareStatement("select status from delivery where recipient = ?")) {
            query.setString(1, email);
            ResultSet rows = query.executeQuery();
            List<String> statuses = new ArrayList<>();
            while (rows.next()) {
                statuses.add(rows.getString(1));
            }
            return statuses;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
