package io.meridian.email.service;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.meridian.email.config.EmailConfig;
import io.meridian.email.domain.Delivery;
import io.meridian.email.domain.Recipient;
import io.meridian.platform.tx.AfterCommit;

/**
 * Queues mails: renders the template and writes the delivery before anything is sent, so that nothing is lost
 * whatever happens next. A template that cannot be rendered fails that delivery, with its reason, and nothing else.
 */
@ApplicationScoped
public class DeliveryService {

    private static final Logger LOG = Logger.getLogger(DeliveryService.class);

    private final MailTemplates templates;
    private final DeliveryWorker worker;
    private final TransactionSynchronizationRegistry transactions;
    private final EmailConfig config;

    DeliveryService(MailTemplates templates, DeliveryWorker worker, TransactionSynchronizationRegistry transactions,
            EmailConfig config) {
        this.templates = templates;
        this.worker = worker;
        this.transactions = transactions;
        this.config = config;
    }

    /**
     * A one-time link: the link up to its secret, and the secret as auth-service sealed it for email-service (with the
     * context it was sealed under). It is opened only when the mail is sent.
     */
    public record SealedLink(String prefix, String sealedSecret, String context) {
    }

    /** Templates that go to any address: the proof of the address itself, and the way back into an account. */
    static final java.util.Set<String> TO_ANY_ADDRESS = java.util.Set.of("verify-email", "password-reset");

    @Transactional
    public Delivery enqueue(String recipient, String template, Map<String, Object> data, String locale, String eventId) {
        return enqueue(recipient, template, data, locale, eventId, null, null, false);
    }

    /**
     * Queues a mail. {@code onBehalfOfUser}: the mail carries what a user caused or wrote (their account's mail, an
     * agent's message, a run notice), so it goes only to an address some account proved, unless the template is the
     * proof itself or the password reset (ADR 0011); operators' and machine clients' mail
     * ({@code POST /api/email/messages}) is theirs to address. Every template has an hourly limit per recipient, and
     * mail for a user an hourly limit per user.
     */
    @Transactional
    public Delivery enqueue(String recipient, String template, Map<String, Object> data, String locale, String eventId,
            UUID userId, SealedLink link, boolean onBehalfOfUser) {
        Delivery delivery = new Delivery();
        delivery.id = UUID.randomUUID();
        delivery.recipient = recipient;
        delivery.template = template;
        delivery.locale = locale == null ? "en" : locale;
        delivery.eventId = eventId;
        delivery.createdAt = Instant.now();
        delivery.userId = userId;
        String limited = onBehalfOfUser && !TO_ANY_ADDRESS.contains(template) && !Recipient.isVerified(recipient)
                ? "not sent: " + template + " mail goes only to an address its owner has verified"
                : overLimit(recipient, template, userId, delivery.createdAt);
        if (limited != null) {
            delivery.status = Delivery.Status.FAILED;
            delivery.lastError = limited;
            delivery.persist();
            LOG.warnf("Delivery %s to %s refused: %s", delivery.id, recipient, limited);
            return delivery;
        }
        Map<String, Object> values = data;
        if (link != null) {
            values = new java.util.HashMap<>(data);
            values.put("link", Delivery.LINK_MARK); // the stored bodies never hold the link
            delivery.sealedSecret = link.sealedSecret();
            delivery.secretContext = link.context();
            delivery.secretPrefix = link.prefix();
        }
        try {
            MailTemplates.Rendered mail = templates.render(template, values);
            delivery.subject = mail.subject();
            delivery.htmlBody = mail.html();
            delivery.textBody = mail.text();
            delivery.status = Delivery.Status.QUEUED;
            delivery.nextAttemptAt = delivery.createdAt;
        } catch (RuntimeException e) {
            delivery.status = Delivery.Status.FAILED;
            delivery.lastError = truncate("template " + template + " could not be rendered: " + e.getMessage());
            LOG.warnf("Delivery %s to %s failed: %s", delivery.id, recipient, delivery.lastError);
        }
        delivery.persist();
        if (delivery.status == Delivery.Status.QUEUED) {
            AfterCommit.run(transactions, worker::wakeUp);
        }
        return delivery;
    }

    /** The reason this mail would exceed an hourly limit (per recipient and template, per user), or null. */
    private String overLimit(String recipient, String template, UUID userId, Instant now) {
        int limit = config.hourlyLimits().getOrDefault(template, config.defaultHourlyLimit());
        Instant hourAgo = now.minus(java.time.Duration.ofHours(1));
        // Parallel consumers and replicas count one at a time for a recipient.
        Delivery.getEntityManager()
                .createNativeQuery("select 1 from (select pg_advisory_xact_lock(hashtext(?1))) l")
                .setParameter(1, "email-limit:" + recipient.toLowerCase(java.util.Locale.ROOT)).getSingleResult();
        long sent = Delivery.count("lower(recipient) = ?1 and template = ?2 and createdAt > ?3 and status <> ?4",
                recipient.toLowerCase(java.util.Locale.ROOT), template, hourAgo, Delivery.Status.FAILED);
        if (sent >= limit) {
            return "rate limited: at most " + limit + " " + template + " mails an hour to one recipient";
        }
        if (userId != null) {
            Delivery.getEntityManager()
                    .createNativeQuery("select 1 from (select pg_advisory_xact_lock(hashtext(?1))) l")
                    .setParameter(1, "email-limit-user:" + userId).getSingleResult();
            long forUser = Delivery.count("userId = ?1 and createdAt > ?2 and status <> ?3", userId, hourAgo,
                    Delivery.Status.FAILED);
            if (forUser >= config.userHourlyLimit()) {
                return "rate limited: at most " + config.userHourlyLimit() + " mails an hour for one user";
            }
        }
        return null;
    }

    static String truncate(String message) {
        return message == null || message.length() <= 1000 ? message : message.substring(0, 1000);
    }
}
