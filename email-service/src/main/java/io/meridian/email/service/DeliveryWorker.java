package io.meridian.email.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.meridian.email.config.EmailConfig;
import io.meridian.email.domain.Delivery;
import io.meridian.platform.security.Sealer;
import io.meridian.platform.jobs.WakeableLoop;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.ext.mail.SMTPException;

/**
 * Sends due deliveries. Each batch is claimed with {@code FOR UPDATE SKIP LOCKED}, so replicas never send one
 * delivery twice. Transient failures (connection refused, timeouts, SMTP 4xx) are retried with exponential backoff and
 * jitter up to a number of attempts and an age; permanent ones (SMTP 5xx) fail at once. QUEUED and RETRYING rows
 * survive restarts: whichever replica is up picks them up.
 */
@ApplicationScoped
public class DeliveryWorker {

    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);
    private static final String CLAIM = """
            select * from delivery where status in ('QUEUED', 'RETRYING') and next_attempt_at <= now()
            order by next_attempt_at limit ?1 for update skip locked""";

    private final ReactiveMailer mailer;
    private final EmailConfig config;
    private final MeterRegistry registry;
    private final Timer sendTime;
    private final WakeableLoop loop;
    private final ExecutorService senders;
    private final Sealer mailLinks;

    DeliveryWorker(ReactiveMailer mailer, EmailConfig config, MeterRegistry registry) {
        this.mailer = mailer;
        this.mailLinks = Sealer.ofBase64(config.mailLinkKey(), "meridian.email.mail-link-key (MERIDIAN_MAIL_LINK_KEY)");
        this.config = config;
        this.registry = registry;
        this.loop = new WakeableLoop("email-sender", config.pollInterval(), this::sendAllDue);
        this.senders = Executors.newFixedThreadPool(config.batchSize(), Thread.ofPlatform().daemon().name("email-send-", 0)
                .factory());
        this.sendTime = Timer.builder("meridian.email.send").description("Time to hand one mail to SMTP").register(registry);
    }

    void start(@Observes StartupEvent startup) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        loop.stop();
        senders.shutdown();
    }

    public void wakeUp() {
        loop.wakeUp();
    }

    /** Sends until nothing is due: a full batch means there may be more at once. */
    private void sendAllDue() {
        while (sendDue() == config.batchSize()) {
            LOG.debug("Full batch sent; looking for more");
        }
    }

    /** Sends one batch of due deliveries; returns how many were attempted. */
    @SuppressWarnings("unchecked")
    public int sendDue() {
        return QuarkusTransaction.requiringNew().timeout(300).call(() -> {
            List<Delivery> due = Delivery.getEntityManager().createNativeQuery(CLAIM, Delivery.class)
                    .setParameter(1, config.batchSize()).getResultList();
            if (due.isEmpty()) {
                return 0;
            }
            // The batch goes out in parallel on the sender threads, which have no transaction: were the sends
            // subscribed here, context propagation would carry this transaction to the mailer's callbacks on the
            // event loop, and it was seen disassociated from this thread before commit. The rows are updated here,
            // on this thread, once every mail has its outcome.
            List<Mail> mails = due.stream().map(this::mailOf).toList();
            List<CompletableFuture<Outcome>> sends = mails.stream()
                    .map(mail -> mail == null ? CompletableFuture.completedFuture(UNOPENABLE)
                            : CompletableFuture.supplyAsync(() -> send(mail), senders))
                    .toList();
            for (int i = 0; i < due.size(); i++) {
                record(due.get(i), sends.get(i).join());
            }
            return due.size();
        });
    }

    /**
     * The mail to send. A one-time link is opened only here, in memory, and put where the stored bodies hold
     * {@link Delivery#LINK_MARK}; what is stored never holds it (ADR 0011). A secret that does not open (another key)
     * leaves the mark and fails the delivery for good.
     */
    private Mail mailOf(Delivery delivery) {
        String html = delivery.htmlBody;
        String text = delivery.textBody;
        if (delivery.sealedSecret != null) {
            try {
                String link = delivery.secretPrefix + mailLinks.openString(delivery.sealedSecret, delivery.secretContext);
                html = html.replace(Delivery.LINK_MARK, link);
                text = text.replace(Delivery.LINK_MARK, link);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return Mail.withHtml(delivery.recipient, delivery.subject, html).setText(text);
    }

    /** When the SMTP server accepted the mail, or why it did not. */
    private record Outcome(Instant acceptedAt, Throwable failure) {
    }

    /** A delivery whose one-time link could not be opened: never handed to SMTP. */
    private static final Outcome UNOPENABLE = new Outcome(null, null);

    /** Hands one mail to the SMTP server, on a sender thread; never throws. */
    private Outcome send(Mail mail) {
        Timer.Sample sample = Timer.start(registry);
        try {
            mailer.send(mail).await().atMost(config.sendTimeout());
            return new Outcome(Instant.now(), null);
        } catch (RuntimeException e) {
            return new Outcome(null, e);
        } finally {
            sample.stop(sendTime);
        }
    }

    private void record(Delivery delivery, Outcome outcome) {
        Instant now = Instant.now();
        delivery.attempts++;
        if (outcome == UNOPENABLE) {
            delivery.status = Delivery.Status.FAILED;
            delivery.lastError = "the one-time link does not open with meridian.email.mail-link-key (MERIDIAN_MAIL_LINK_KEY"
                    + " must be auth-service's)";
            delivery.nextAttemptAt = null;
            delivery.sealedSecret = null;
            registry.counter("meridian.email.deliveries", "outcome", "failed").increment();
            LOG.warnf("Delivery %s failed: %s", delivery.id, delivery.lastError);
            return;
        }
        if (outcome.failure() == null) {
            delivery.status = Delivery.Status.SENT;
            delivery.sealedSecret = null; // nothing of the link is kept once it is out
            delivery.sentAt = outcome.acceptedAt();
            delivery.lastError = null;
            delivery.nextAttemptAt = null;
            registry.counter("meridian.email.deliveries", "outcome", "sent").increment();
        } else {
            Throwable e = outcome.failure();
            String reason = DeliveryService.truncate(describe(e));
            delivery.lastError = reason;
            boolean permanent = isPermanent(e);
            boolean exhausted = delivery.attempts >= config.maxAttempts()
                    || delivery.createdAt.plus(config.maxAge()).isBefore(now);
            if (permanent || exhausted) {
                delivery.status = Delivery.Status.FAILED;
                delivery.sealedSecret = null;
                delivery.nextAttemptAt = null;
                registry.counter("meridian.email.deliveries", "outcome", "failed").increment();
                LOG.warnf("Delivery %s to %s failed for good after %d attempt(s): %s", delivery.id, delivery.recipient,
                        delivery.attempts, reason);
            } else {
                delivery.status = Delivery.Status.RETRYING;
                delivery.nextAttemptAt = now.plus(backoff(delivery.attempts));
                registry.counter("meridian.email.deliveries", "outcome", "retrying").increment();
                LOG.infof("Delivery %s to %s will be retried (attempt %d): %s", delivery.id, delivery.recipient,
                        delivery.attempts, reason);
            }
        }
    }

    private Duration backoff(int attempts) {
        long base = config.firstRetryDelay().toMillis() << Math.min(attempts - 1, 20);
        long capped = Math.min(base, config.maxRetryDelay().toMillis());
        return Duration.ofMillis(capped + ThreadLocalRandom.current().nextLong(capped / 4 + 1));
    }

    /**
     * A well-formed SMTP 5xx reply. Anything else (connection trouble, timeouts, 4xx, and replies that do not start
     * with their code, as a reply garbled in transit) may succeed on another attempt.
     */
    static boolean isPermanent(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SMTPException smtp) {
                String reply = smtp.getReplyMessages().isEmpty() ? "" : smtp.getReplyMessage();
                return smtp.isPermanent() && reply.startsWith(String.valueOf(smtp.getReplyCode()));
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
