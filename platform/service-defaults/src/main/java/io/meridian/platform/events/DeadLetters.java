package io.meridian.platform.events;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import io.quarkus.arc.properties.IfBuildProperty;
import io.smallrye.common.annotation.Identifier;

/**
 * The dead-letter topics of this service's consumers ({@code mp.messaging.incoming.*.dead-letter-queue.topic}) and
 * their re-drive (ADR 0016): each record not re-driven yet is published again to the topic it came from (its
 * {@code dead-letter-topic} header; the name without {@code .dlq} otherwise), with its key, value and headers, and
 * the group {@value #GROUP} commits past it. Consumers apply an event once, so a record re-driven twice, or by two
 * services sharing a dead-letter topic ({@code auth.users.dlq}), has one effect. An operator re-drives after fixing
 * the cause; a record that fails again goes back to the dead-letter topic.
 */
@ApplicationScoped
@IfBuildProperty(name = "meridian.consumer.enabled", stringValue = "true")
public class DeadLetters {

    static final String GROUP = "meridian-dlq-redrive";
    /** Records re-driven per request at most; another request goes on from there. */
    static final int MAX_PER_REQUEST = 10_000;
    private static final Duration POLL = Duration.ofMillis(500);
    /** Inside the gateway's 60 s for a call: what is left waits for the next request. */
    private static final Duration DEADLINE = Duration.ofSeconds(40);
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    /** One dead-letter topic: records it ever held, how many were re-driven, and how many wait. */
    public record Topic(String topic, long deadLettered, long redriven, long waiting) {
    }

    /** What one re-drive did, per dead-letter topic. */
    public record Redriven(String topic, int records, long waiting) {
    }

    private final Config config;
    private final Map<String, Object> kafka;

    DeadLetters(Config config, @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.config = config;
        this.kafka = kafka;
    }

    /** This service's dead-letter topics, by name. */
    public List<String> topics() {
        TreeSet<String> topics = new TreeSet<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("mp.messaging.incoming.") && name.endsWith(".dead-letter-queue.topic")) {
                config.getOptionalValue(name, String.class).ifPresent(topics::add);
            }
        }
        return List.copyOf(topics);
    }

    public List<Topic> status() {
        List<Topic> status = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            for (String topic : topics()) {
                List<TopicPartition> partitions = partitions(consumer, topic);
                long end = consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
                long begin = consumer.beginningOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
                Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
                long done = 0;
                for (TopicPartition partition : partitions) {
                    OffsetAndMetadata at = committed.get(partition);
                    done += at == null ? consumer.beginningOffsets(List.of(partition)).get(partition) : at.offset();
                }
                status.add(new Topic(topic, end, done - begin, end - done));
            }
        }
        return status;
    }

    /** Re-drives what waits in {@code only} (or in every dead-letter topic of this service, when null). */
    public List<Redriven> redrive(String only) {
        List<Redriven> done = new ArrayList<>();
        Instant deadline = Instant.now().plus(DEADLINE);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(); KafkaProducer<byte[], byte[]> producer = producer()) {
            for (String topic : topics()) {
                if (only != null && !only.equals(topic)) {
                    continue;
                }
                done.add(redrive(consumer, producer, topic, deadline));
            }
        }
        return done;
    }

    private Redriven redrive(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer, String topic,
            Instant deadline) {
        List<TopicPartition> partitions = partitions(consumer, topic);
        consumer.assign(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata at = committed.get(partition);
            if (at == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, at.offset());
            }
        }
        int records = 0;
        while (records < MAX_PER_REQUEST && Instant.now().isBefore(deadline) && behind(consumer, partitions, end)) {
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (record.offset() >= end.get(partition)) {
                    continue; // arrived after this re-drive began: the next one takes it
                }
                ProducerRecord<byte[], byte[]> again = new ProducerRecord<>(origin(record), record.key(), record.value());
                for (Header header : record.headers()) {
                    if (!header.key().startsWith("dead-letter-")) {
                        again.headers().add(header);
                    }
                }
                again.headers().add("meridian-redriven-from", (record.topic() + "-" + record.partition() + "@"
                        + record.offset()).getBytes(StandardCharsets.UTF_8));
                producer.send(again);
                next.put(partition, new OffsetAndMetadata(record.offset() + 1));
                records++;
            }
            producer.flush(); // every record sent is acknowledged before the group moves past it
            if (!next.isEmpty()) {
                consumer.commitSync(next);
            }
        }
        long waiting = 0;
        for (TopicPartition partition : partitions) {
            waiting += Math.max(0, end.get(partition) - consumer.position(partition));
        }
        if (records > 0) {
            LOG.infof("Re-drove %d record(s) of %s; %d wait", records, topic, waiting);
        }
        return new Redriven(topic, records, waiting);
    }

    private static boolean behind(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions,
            Map<TopicPartition, Long> end) {
        return partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p));
    }

    private static String origin(ConsumerRecord<?, ?> record) {
        Header header = record.headers().lastHeader("dead-letter-topic");
        if (header != null) {
            return new String(header.value(), StandardCharsets.UTF_8);
        }
        return record.topic().endsWith(Topics.DLQ_SUFFIX)
                ? record.topic().substring(0, record.topic().length() - Topics.DLQ_SUFFIX.length())
                : record.topic();
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        return infos == null ? List.of() : infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> settings = new HashMap<>(kafka);
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, GROUP + "-" + config.getOptionalValue("quarkus.application.name",
                String.class).orElse("service"));
        return new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> settings = new HashMap<>(kafka);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
