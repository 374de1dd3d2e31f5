package io.meridian.rag;

import static io.meridian.rag.RagFixtures.addText;
import static io.meridian.rag.RagFixtures.awaitIngested;
import static io.meridian.rag.RagFixtures.collection;
import static io.meridian.rag.RagFixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Accepted documents are never stranded (issue 18, ADR 0016): ingestion tasks consumed while PostgreSQL is away wait
 * for it instead of going to the dead-letter topic, and a PENDING document whose task was lost is queued again.
 */
@QuarkusTest
class StrandedWorkTest {

    @InjectInfrastructure
    Infrastructure infra;

    @Test
    void documentsBeingIngestedWhilePostgresqlIsAwayAreIndexedOnceItReturns() throws Exception {
        String token = user();
        String collection = collection(token, "through an outage");
        List<String> documents = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            documents.add(addText(token, collection, "Outage " + i,
                    "Tide table " + i + ": the harbour master posts the high and low waters every morning."));
        }
        infra.postgresProxy().cut();
        try {
            Thread.sleep(8_000); // the worker's reads and writes fail well past three quick retries
        } finally {
            infra.postgresProxy().restore();
        }
        for (String document : documents) {
            assertThat(awaitIngested(token, document)).isEqualTo("INDEXED");
            assertThat(chunks(document)).isEqualTo(1);
        }
        List<ConsumerRecord<String, String>> dead = infra.kafkaClient().readAll("rag.ingestion.dlq",
                Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertThat(dead).noneMatch(r -> documents.contains(r.key()));
    }

    @Test
    void aPendingDocumentWhoseTaskWasLostIsQueuedAgainAndIndexed() throws Exception {
        String token = user();
        String collection = collection(token, "lost task");
        String original = addText(token, collection, "Lighthouse", "The keeper trims the wick of the lamp at dusk.");
        assertThat(awaitIngested(token, original)).isEqualTo("INDEXED");
        // a second document with the same original whose task never reached the queue, queued an hour ago
        UUID lost = UUID.randomUUID();
        try (Connection connection = infra.database()) {
            try (PreparedStatement copy = connection.prepareStatement("""
                    insert into document (id, collection_id, owner_id, title, content_type, size_bytes, status,
                                          chunk_count, created_at, queued_at)
                    select ?, collection_id, owner_id, 'Lost lighthouse', content_type, size_bytes, 'PENDING', 0,
                           now() - interval '1 hour', now() - interval '1 hour'
                    from document where id = ?""")) {
                copy.setObject(1, lost);
                copy.setObject(2, UUID.fromString(original));
                assertThat(copy.executeUpdate()).isEqualTo(1);
            }
            try (PreparedStatement parts = connection.prepareStatement("""
                    insert into document_part (document_id, part, bytes)
                    select ?, part, bytes from document_part where document_id = ?""")) {
                parts.setObject(1, lost);
                parts.setObject(2, UUID.fromString(original));
                parts.executeUpdate();
            }
        }
        assertThat(awaitIngested(token, lost.toString())).isEqualTo("INDEXED");
        assertThat(chunks(lost.toString())).isEqualTo(1);
        // queued again once, not on every check (they come every 2 s here)
        Thread.sleep(5_000);
        assertThat(infra.kafkaClient().readAll("rag.ingestion", Duration.ofSeconds(1), Duration.ofSeconds(10)))
                .filteredOn(r -> lost.toString().equals(r.key())).hasSize(1);
    }

    private int chunks(String document) throws SQLException {
        try (Connection connection = infra.database();
                PreparedStatement count = connection.prepareStatement("select count(*) from chunk where document_id = ?")) {
            count.setObject(1, UUID.fromString(document));
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
