package io.meridian.email.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.meridian.email.MailFixtures;
import io.meridian.email.service.DeliveryWorker;
import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.meridian.testsupport.InjectSmtp;
import io.meridian.testsupport.SmtpServer;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Two consumers over one backlog, as two replicas after a rebalance: each applies every record of the same backlog on
 * its own thread and transactions, while three senders (the service's own and two more) claim the deliveries. Every
 * mail is queued once and sent once.
 */
@QuarkusTest
class TwoConsumersTest {

    private static final int BACKLOG = 120;

    @InjectInfrastructure
    Infrastructure infra;
    @InjectSmtp
    SmtpServer smtp;
    @Inject
    RequestedMails requestedMails;
    @Inject
    DeliveryWorker worker;

    @Test
    void twoConsumersAndThreeSendersOverOneBacklogSendEveryMailOnce() throws Exception {
        // A backlog of real records, read back from a topic the service does not consume.
        String topic = "email.requests.backlog-" + UUID.randomUUID();
        String batch = UUID.randomUUID().toString().substring(0, 8);
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < BACKLOG; i++) {
            String to = MailFixtures.verified(infra, "backlog-" + batch + "-" + i + "@example.com");
            recipients.add(to);
            infra.kafkaClient().publishEvent(topic, to, MailFixtures.event("agent-service", "email.requested", to,
                    Map.of("to", to, "template", "welcome", "data", Map.of("displayName", "B" + i, "email", to))));
        }
        List<ConsumerRecord<String, String>> backlog = await().atMost(Duration.ofSeconds(30)).until(
                () -> infra.kafkaClient().readAll(topic, Duration.ofSeconds(1), Duration.ofSeconds(10)),
                records -> records.size() == BACKLOG);

        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> consumers = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                consumers.add(threads.submit(() -> {
                    start.await();
                    backlog.forEach(requestedMails::onRequest);
                    return backlog.size();
                }));
            }
            Callable<Integer> sender = () -> {
                start.await();
                int attempted = 0;
                while (sent(batch) < BACKLOG && !Thread.currentThread().isInterrupted()) {
                    int claimed = worker.sendDue();
                    attempted += claimed;
                    if (claimed == 0) {
                        Thread.sleep(20);
                    }
                }
                return attempted;
            };
            Future<Integer> senderA = threads.submit(sender);
            Future<Integer> senderB = threads.submit(sender);
            start.countDown();
            for (Future<Integer> consumer : consumers) {
                consumer.get();
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> sent(batch) == BACKLOG);
            senderA.get();
            senderB.get();
        } finally {
            threads.shutdownNow();
        }

        assertThat(deliveriesPerRecipient(batch)).hasSize(BACKLOG).allSatisfy((to, count) -> assertThat(count).isOne());
        Map<String, Long> received = recipients.stream().collect(Collectors.toMap(Function.identity(),
                to -> (long) MailFixtures.mailsTo(smtp, to).size()));
        assertThat(received).allSatisfy((to, count) -> assertThat(count).as(to).isOne());
    }

    private long sent(String batch) {
        try (Connection connection = infra.database();
                PreparedStatement query = connection.prepareStatement(
                        "select count(*) from delivery where recipient like ? and status = 'SENT'")) {
            query.setString(1, "backlog-" + batch + "-%");
            ResultSet row = query.executeQuery();
            row.next();
            return row.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Integer> deliveriesPerRecipient(String batch) throws Exception {
        try (Connection connection = infra.database();
                PreparedStatement query = connection.prepareStatement(
                        "select recipient, count(*) from delivery where recipient like ? group by recipient")) {
            query.setString(1, "backlog-" + batch + "-%");
            ResultSet rows = query.executeQuery();
            Map<String, Integer> counts = new java.util.HashMap<>();
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getInt(2));
            }
            return counts;
        }
    }
}
