import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * email-service end to end on the running stack: {@code email.requested} events go onto Kafka, the service queues,
 * renders and sends them to the stack's SMTP server, and the benchmark reads each delivery's {@code sent_at} (set when
 * the SMTP server accepted the mail) from the database.
 * <ol>
 * <li>Steady: events at a fixed rate; reports the time from event published to mail accepted (p50, p99).</li>
 * <li>Burst: a backlog published at once; reports mails per second sustained into the SMTP server, and the same
 * latencies, which now include the wait in the queue.</li>
 * </ol>
 * Run: java -cp "$(cat .run/bench.classpath)" benchmarks/EmailBenchmark.java [bootstrap] [jdbcUrl] [rate/s] [seconds]
 * [burst] (./meridian bench writes that classpath and passes the local stack's addresses).
 */
public class EmailBenchmark {

    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
        String jdbc = args.length > 1 ? args[1] : "jdbc:postgresql://127.0.0.1:5432/meridian?user=postgres";
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int burst = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
        String run = UUID.randomUUID().toString().substring(0, 8);

        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer()); Connection db = DriverManager.getConnection(jdbc)) {
            System.out.printf("email-service: email.requested on %s to mail accepted by SMTP (sent_at)%n", bootstrap);
            publish(producer, "bench-" + run + "-warm", 50, 0);
            await(db, "bench-" + run + "-warm", 50);

            String steady = "bench-" + run + "-steady";
            Map<String, Long> published = publish(producer, steady, rate * seconds, rate);
            report("steady " + rate + " events/s for " + seconds + " s", published, await(db, steady, published.size()));

            String backlog = "bench-" + run + "-burst";
            published = publish(producer, backlog, burst, 0);
            Map<String, Long> sent = await(db, backlog, burst);
            report("burst of " + burst, published, sent);
            long first = Collections.min(published.values());
            long last = Collections.max(sent.values());
            System.out.printf("  sustained: %.0f mails/s into SMTP (%d mails in %.1f s)%n",
                    burst * 1000.0 / (last - first), burst, (last - first) / 1000.0);
        }
    }

    /** Publishes {@code count} requests, {@code rate} a second (0: as fast as possible); returns publish times. */
    static Map<String, Long> publish(KafkaProducer<String, String> producer, String prefix, int count, int rate)
            throws Exception {
        Map<String, Long> published = new HashMap<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (rate > 0) {
                long due = start + i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            String to = prefix + "-" + i + "@example.com";
            String event = """
                    {"specversion":"1.0","id":"%s","source":"/meridian/benchmark","type":"email.requested",\
                    "time":"%s","subject":"%s","datacontenttype":"application/json",\
                    "data":{"to":"%s","template":"welcome","data":{"displayName":"Bench %d","email":"%s"}}}"""
                    .formatted(UUID.randomUUID(), Instant.now(), to, to, i, to);
            published.put(to, System.currentTimeMillis());
            producer.send(new ProducerRecord<>("email.requests", to, event));
        }
        producer.flush();
        return published;
    }

    /** Waits until every delivery of the prefix is SENT; returns each recipient's sent_at in epoch millis. */
    static Map<String, Long> await(Connection db, String prefix, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 600_000;
        try (PreparedStatement query = db.prepareStatement(
                "select recipient, status, sent_at from email.delivery where recipient like ?")) {
            query.setString(1, prefix + "-%");
            while (true) {
                Map<String, Long> sent = new HashMap<>();
                int failed = 0;
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        if ("SENT".equals(rows.getString(2))) {
                            sent.put(rows.getString(1), rows.getTimestamp(3).getTime());
                        } else if ("FAILED".equals(rows.getString(2))) {
                            failed++;
                        }
                    }
                }
                if (failed > 0) {
                    throw new IllegalStateException(failed + " deliveries FAILED; see GET /api/email/messages?status=FAILED");
                }
                if (sent.size() == count) {
                    return sent;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("only " + sent.size() + " of " + count + " mails sent in 10 minutes");
                }
                Thread.sleep(200);
            }
        }
    }

    static void report(String phase, Map<String, Long> published, Map<String, Long> sent) {
        List<Long> latencies = new ArrayList<>();
        published.forEach((to, at) -> latencies.add(sent.get(to) - at));
        Collections.sort(latencies);
        System.out.printf("%s: %d mails, published to accepted p50 %d ms, p99 %d ms, max %d ms%n", phase,
                latencies.size(), percentile(latencies, 50), percentile(latencies, 99), latencies.getLast());
    }

    static long percentile(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
