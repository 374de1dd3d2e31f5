package io.meridian.platform.testapp;

import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.agroal.api.AgroalDataSource;
import io.meridian.platform.events.EventConsumer;
import io.meridian.platform.events.RetryLaterException;
import io.meridian.platform.requestid.RequestIds;
import io.smallrye.common.annotation.Blocking;

/**
 * A consumer as a service writes one: each {@code tally.increment} event adds one to a named tally. An event
 * whose data asks for it fails its first {@code failTimes} attempts, to exercise retries and the dead-letter topic,
 * or its first {@code unavailableTimes} as if a dependency were away.
 */
@ApplicationScoped
public class TallyConsumer {

    private final EventConsumer consumer;
    private final AgroalDataSource dataSource;
    private final java.util.Map<String, Integer> attempts = new java.util.concurrent.ConcurrentHashMap<>();

    TallyConsumer(EventConsumer consumer, AgroalDataSource dataSource) {
        this.consumer = consumer;
        this.dataSource = dataSource;
    }

    @Incoming("test-tallies")
    @Blocking
    void onTallyIncrement(ConsumerRecord<String, String> record) {
        consumer.apply("tally-counter", record, event -> {
            int failTimes = event.data().path("failTimes").asInt(0);
            int unavailableTimes = event.data().path("unavailableTimes").asInt(0);
            int attempt = attempts.merge(event.id(), 1, Integer::sum);
            if (attempt <= failTimes) {
                throw new IllegalStateException("tally store busy (attempt " + attempt + ")");
            }
            if (attempt <= unavailableTimes) {
                throw new RetryLaterException("tally store away (attempt " + attempt + ")");
            }
            try (var connection = dataSource.getConnection();
                    var upsert = connection.prepareStatement("""
                            insert into tally (name, count, request_id) values (?, 1, ?)
                            on conflict (name) do update set count = tally.count + 1""")) {
                upsert.setString(1, event.data().path("name").asText());
                upsert.setString(2, RequestIds.current());
                upsert.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
