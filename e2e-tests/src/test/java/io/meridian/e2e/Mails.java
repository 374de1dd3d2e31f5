package io.meridian.e2e;

import java.time.Duration;
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
        return org.awaitility.Awaitility.await("at least " + count + " mail(s) to " + address).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Arrays.stream(Suite.get().smtp.mail().getReceivedMessages())
                        .filter(m -> recipients(m).contains(address)).toList(), found -> found.size() >= count);
    }

    /** Fails unless exactly {@code count} messages reached {@code address} and no more arrive for {@code quiet}. */
    static void assertStays(String address, long count, Duration quiet) {
        org.awaitility.Awaitility.await("exactly " + count + " mail(s) to " + address).during(quiet)
                .atMost(quiet.plusSeconds(5)).pollInterval(Duration.ofMillis(200)).until(() -> count(address) == count);
    }

    /** How many messages reached {@code address} so far. */
    static long count(String address) {
        return Arrays.stream(Suite.get().smtp.mail().getReceivedMessages()).filter(m -> recipients(m).contains(address)).count();
    }

    /** Confirms the address from its verification mail, as its owner would: mail on the user's behalf may go there. */
    static void verify(String address) {
        MimeMessage verification = awaitMessages(address, 1).stream().filter(m -> subject(m).contains("Confirm"))
                .findFirst().orElseThrow();
        io.restassured.RestAssured.given().contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("token", token(verification))).when().post("/api/auth/verify-email")
                .then().statusCode(204);
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
