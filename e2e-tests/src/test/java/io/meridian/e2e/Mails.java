package io.meridian.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.util.GreenMailUtil;

/** Mail as a user receives it: read from the suite's SMTP server. */
final class Mails {

    private static final Pattern TOKEN = Pattern.compile("[?&]token=([A-Za-z0-9_.~-]+)");

    private Mails() {
    }

    /** The messages sent to {@code address} once there are {@code count} of them (within 60 s). */
    static List<MimeMessage> awaitMessages(String address, int count) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            List<MimeMessage> found = Arrays.stream(Suite.get().smtp.mail().getReceivedMessages())
                    .filter(m -> recipients(m).contains(address)).toList();
            if (found.size() >= count) {
                return found;
            }
            Suite.sleep(200);
        }
        throw new AssertionError("fewer than " + count + " mail(s) reached " + address + " within 60 s");
    }

    /** How many messages reached {@code address} so far. */
    static long count(String address) {
        return Arrays.stream(Suite.get().smtp.mail().getReceivedMessages()).filter(m -> recipients(m).contains(address)).count();
    }

    /** The one-time token of the link in a mail (verify-email, reset-password). */
    static String token(MimeMessage message) {
        Matcher link = TOKEN.matcher(GreenMailUtil.getBody(message).replace("=\r\n", "").replace("=3D", "="));
        if (!link.find()) {
            throw new AssertionError("no link with a token in: " + GreenMailUtil.getBody(message));
        }
        return link.group(1);
    }

    static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String recipients(MimeMessage message) {
        try {
            return Arrays.toString(message.getAllRecipients());
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
