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

    @Transactional
    public Delivery enqueue(String recipient, String template, Map<String, Object> data, String locale, String eventId) {
        Delivery delivery = new Delivery();
        delivery.id = UUID.randomUUID();
        delivery.recipient = recipient;
        delivery.template = template;
        delivery.locale = locale == null ? "en" : locale;
        delivery.eventId = eventId;
        delivery.createdAt = Instant.now();
        String limited = overLimit(recipient, template, delivery.createdAt);
        if (limited != null) {
            delivery.status = Delivery.Status.FAILED;
            delivery.lastError = limited;
            delivery.persist();
            LOG.warnf("Delivery %s to %s refused: %s", delivery.id, recipient, limited);
            return delivery;
        }
        try {
            MailTemplates.Rendered mail = templates.render(template, data);
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

    /** The reason this mail would exceed its template's hourly limit for the recipient, or null. */
    private String overLimit(String recipient, String template, Instant now) {
        Integer limit = config.hourlyLimits().get(template);
        if (limit == null) {
            return null;
        }
        // Parallel consumers and replicas count one at a time for a recipient and template.
        Delivery.getEntityManager()
                .createNativeQuery("select 1 from (select pg_advisory_xact_lock(hashtext(?1))) l")
                .setParameter(1, "email-limit:" + template + ":" + recipient).getSingleResult();
        long sent = Delivery.count("recipient = ?1 and template = ?2 and createdAt > ?3 and status <> ?4", recipient,
                template, now.minus(java.time.Duration.ofHours(1)), Delivery.Status.FAILED);
        return sent >= limit
                ? "rate limited: at most " + limit + " " + template + " mails an hour to one recipient"
                : null;
    }

    static String truncate(String message) {
        return message == null || message.length() <= 1000 ? message : message.substring(0, 1000);
    }
}
