package io.meridian.email.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;

import org.eclipse.microprofile.config.inject.ConfigProperty;
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
 * Sends due deliveries in three steps, so that no row lock is held while SMTP takes its time and a slow acceptance is
 * never taken for a failure (issue 18, item 6):
 * <ol>
 * <li>claim: in a short transaction, due deliveries ({@code FOR UPDATE SKIP LOCKED}, so replicas never take the same
 * one) become SENDING until {@code send-lease} from now, with their attempt counted and one Message-ID per delivery;</li>
 * <li>send, outside any transaction, with that Message-ID; the sender waits {@code send-timeout} for the batch's
 * answers, and an answer that comes later is recorded when it comes;</li>
 * <li>record, each outcome in its own short transaction, only while the claim is still this attempt's: SENT,
 * RETRYING (transient failures: connection refused, timeouts, SMTP 4xx; exponential backoff with jitter, up to a number
 * of attempts and an age) or FAILED (SMTP 5xx).</li>
 * </ol>
 * A delivery whose claim ran out without an outcome (its sender died) is due again and goes with the same Message-ID,
 * which makes the rare second copy recognisable. QUEUED, RETRYING and SENDING rows survive restarts.
 */
@ApplicationScoped
public class DeliveryWorker {

    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);
    private static final String CLAIM = """
            select * from delivery
            where (status in ('QUEUED', 'RETRYING') and next_attempt_at <= now())
               or (status = 'SENDING' and claimed_until < now())
            order by next_attempt_at limit ?1 for update skip locked""";

    private final ReactiveMailer mailer;
    private final EmailConfig config;
    private final MeterRegistry registry;
    private final Timer sendTime;
    private final WakeableLoop loop;
    private final ExecutorService recorders;
    private final Sealer mailLinks;
    private final String messageIdDomain;

    DeliveryWorker(ReactiveMailer mailer, EmailConfig config, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.mailer.from", defaultValue = "meridian@localhost") String from) {
        this.mailer = mailer;
        this.mailLinks = Sealer.ofBase64(config.mailLinkKey(), "meridian.email.mail-link-key (MERIDIAN_MAIL_LINK_KEY)");
        this.config = config;
        this.registry = registry;
        this.loop = new WakeableLoop("email-sender", config.pollInterval(), this::sendAllDue);
        this.recorders = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("email-record-", 0).factory());
        this.sendTime = Timer.builder("meridian.email.send").description("Time to hand one mail to SMTP").register(registry);
        this.messageIdDomain = domainOf(from);
    }

    void start(@Observes StartupEvent startup) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        loop.stop();
        recorders.shutdown();
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

    /** A delivery claimed for one attempt, with what is needed to send it and to record its outcome. */
    private record Claimed(UUID id, int attempt, Mail mail) {
    }

    /** Claims, sends and records one batch of due deliveries; returns how many were claimed. */
    @SuppressWarnings("unchecked")
    public int sendDue() {
        List<Claimed> claimed = QuarkusTransaction.requiringNew().call(() -> {
            List<Delivery> due = Delivery.getEntityManager().createNativeQuery(CLAIM, Delivery.class)
                    .setParameter(1, config.batchSize()).getResultList();
            Instant until = Instant.now().plus(config.sendLease());
            List<Claimed> batch = new ArrayList<>(due.size());
            for (Delivery delivery : due) {
                delivery.status = Delivery.Status.SENDING;
                delivery.attempts++;
                delivery.claimedUntil = until;
                if (delivery.messageId == null) {
                    delivery.messageId = "<" + delivery.id + "@" + messageIdDomain + ">";
                }
                Mail mail = mailOf(delivery);
                if (mail != null) {
                    mail.addHeader("Message-ID", delivery.messageId);
                }
                batch.add(new Claimed(delivery.id, delivery.attempts, mail));
            }
            return batch;
        });
        if (claimed.isEmpty()) {
            return 0;
        }
        List<CompletableFuture<Outcome>> sends = claimed.stream().map(this::send).toList();
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                    .get(config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.infof("Some of %d mail(s) have no answer from the SMTP server after %s; each is recorded when its "
                    + "answer comes", claimed.size(), config.sendTimeout());
        } catch (ExecutionException e) {
            throw new IllegalStateException("a send failed unexpectedly", e); // send() completes normally
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return claimed.size();
        }
        for (int i = 0; i < claimed.size(); i++) {
            Claimed delivery = claimed.get(i);
            CompletableFuture<Outcome> send = sends.get(i);
            if (send.isDone()) {
                record(delivery, send.join());
            } else {
                send.thenAcceptAsync(outcome -> record(delivery, outcome), recorders);
            }
        }
        return claimed.size();
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

    /** Hands one mail to the SMTP server; the answer completes the future, which never fails. */
    private CompletableFuture<Outcome> send(Claimed delivery) {
        if (delivery.mail() == null) {
            return CompletableFuture.completedFuture(UNOPENABLE);
        }
        Timer.Sample sample = Timer.start(registry);
        return mailer.send(delivery.mail()).subscribeAsCompletionStage()
                .handle((ignored, failure) -> {
                    sample.stop(sendTime);
                    return new Outcome(failure == null ? Instant.now() : null, failure);
                }).toCompletableFuture();
    }

    /** Records an attempt's outcome, if the delivery is still claimed by that attempt. */
    private void record(Claimed claimed, Outcome outcome) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                Delivery delivery = Delivery.findById(claimed.id(), LockModeType.PESSIMISTIC_WRITE);
                if (delivery == null || delivery.status != Delivery.Status.SENDING || delivery.attempts != claimed.attempt()) {
                    LOG.infof("Delivery %s: the outcome of attempt %d came after its claim ended; not recorded",
                            claimed.id(), claimed.attempt());
                    return;
                }
                record(delivery, outcome);
            });
        } catch (RuntimeException e) {
            // the claim runs out and the delivery goes again, with the same Message-ID
            LOG.warnf("Delivery %s: the outcome of attempt %d could not be recorded: %s", claimed.id(),
                    claimed.attempt(), e.getMessage());
        }
    }

    private void record(Delivery delivery, Outcome outcome) {
        Instant now = Instant.now();
        delivery.claimedUntil = null;
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

    /** The domain of the sender's address ({@code "Meridian <no-reply@example.com>"}: example.com), for Message-IDs. */
    static String domainOf(String from) {
        int at = from.lastIndexOf('@');
        if (at < 0) {
            return "localhost";
        }
        String domain = from.substring(at + 1).replace(">", "").strip();
        return domain.isEmpty() ? "localhost" : domain;
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
