package io.meridian.email.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** email-service's settings. */
@ConfigMapping(prefix = "meridian.email")
public interface EmailConfig {

    /** Where users reach the platform; links in mails start with it. */
    String publicBaseUrl();

    /** How often the sender looks for due deliveries (it is also woken when one is queued). */
    @WithDefault("PT1S")
    Duration pollInterval();

    /** Delay before the first retry; it doubles with each attempt, with up to 25% jitter. */
    @WithDefault("PT10S")
    Duration firstRetryDelay();

    @WithDefault("PT15M")
    Duration maxRetryDelay();

    /** Attempts before a delivery fails for good. */
    @WithDefault("8")
    int maxAttempts();

    /** Age after which a delivery is no longer retried. */
    @WithDefault("PT24H")
    Duration maxAge();

    /** Most mails of a template one recipient may get in an hour, by template (others: default-hourly-limit). */
    java.util.Map<String, Integer> hourlyLimits();

    /** Most mails of any other template one recipient may get in an hour. */
    @WithDefault("20")
    int defaultHourlyLimit();

    /** Most mails for one user (all templates, all recipients) in an hour. */
    @WithDefault("30")
    int userHourlyLimit();

    /** Base64 of 32 bytes shared with auth-service only: opens the one-time links it seals (MERIDIAN_MAIL_LINK_KEY). */
    String mailLinkKey();

    /** How long finished deliveries (SENT, FAILED) are kept. */
    @WithDefault("P30D")
    Duration retention();

    /** Deliveries claimed at once by one sender; they are sent in parallel over the mailer's connection pool. */
    @WithDefault("20")
    int batchSize();

    /**
     * How long a sender waits for the SMTP server's answers to a batch before it goes on to the next; a mail still
     * unanswered keeps its claim, and its outcome is recorded when it comes (a slow {@code 250} is a sent mail).
     */
    @WithDefault("PT30S")
    Duration sendTimeout();

    /**
     * How long a claimed delivery may go without an outcome before another sender takes it again (its sender died, or
     * the SMTP server never answered); it goes again with the same Message-ID.
     */
    @WithDefault("PT5M")
    Duration sendLease();
}
