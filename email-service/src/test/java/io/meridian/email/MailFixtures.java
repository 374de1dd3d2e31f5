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
