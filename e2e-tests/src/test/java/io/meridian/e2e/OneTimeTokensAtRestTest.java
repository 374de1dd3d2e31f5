package io.meridian.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.meridian.testsupport.KafkaTestClient;
import io.meridian.testsupport.PostgresSchema;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * One-time tokens are secrets: after a registration and a password reset, the tokens the mails carried are found in no
 * row of any service's tables (auth-service keeps their SHA-256, email-service a mark where the link was) and in no
 * record of any Kafka topic (the events carry them sealed for email-service), dead-letter topics included (ADR 0011).
 */
class OneTimeTokensAtRestTest {

    @BeforeAll
    static void platform() {
        RestAssured.baseURI = Suite.get().gateway();
    }

    @Test
    void noUsableOneTimeTokenIsKeptInTheDatabaseOrInKafka() throws Exception {
        String email = "secret-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        given().contentType(ContentType.JSON).body(Map.of("email", email, "password", "Secrets at rest " + UUID.randomUUID(),
                "displayName", "Sam")).when().post("/api/auth/register").then().statusCode(201);
        String verification = Mails.token(Mails.awaitMessages(email, 1).stream()
                .filter(m -> Mails.subject(m).contains("Confirm")).findFirst().orElseThrow());
        given().contentType(ContentType.JSON).body(Map.of("email", email)).when().post("/api/auth/password-reset")
                .then().statusCode(202);
        String reset = Mails.token(Mails.awaitMessages(email, 2).stream()
                .filter(m -> Mails.subject(m).contains("Reset")).findFirst().orElseThrow());

        for (String token : List.of(verification, reset)) {
            assertThat(rowsHolding(token)).as("rows holding a one-time token").isEmpty();
            assertThat(recordsHolding(token)).as("Kafka records holding a one-time token").isEmpty();
        }
        // They are the real ones: the reset link works (once).
        given().contentType(ContentType.JSON).body(Map.of("token", reset, "newPassword", "After the reset " + UUID.randomUUID()))
                .when().post("/api/auth/password-reset/confirm").then().statusCode(204);
    }

    /** Every table of every service's schema, each row read as text. */
    private static List<String> rowsHolding(String token) throws Exception {
        List<String> found = new ArrayList<>();
        for (PostgresSchema schema : Suite.get().schemas) {
            try (Connection connection = schema.connect()) {
                List<String> tables = new ArrayList<>();
                try (PreparedStatement query = connection.prepareStatement(
                        "select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE'")) {
                    query.setString(1, schema.name());
                    ResultSet rows = query.executeQuery();
                    while (rows.next()) {
                        tables.add(rows.getString(1));
                    }
                }
                for (String table : tables) {
                    try (PreparedStatement query = connection.prepareStatement("select count(*) from \"" + schema.name()
                            + "\".\"" + table + "\" t where strpos(t::text, ?) > 0")) {
                        query.setString(1, token);
                        ResultSet count = query.executeQuery();
                        count.next();
                        if (count.getLong(1) > 0) {
                            found.add(schema.name() + "." + table);
                        }
                    }
                }
            }
        }
        return found;
    }

    /** Every record of every topic (dead-letter topics included). */
    private static List<String> recordsHolding(String token) throws Exception {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Suite.get().kafka.bootstrapServers());
        List<String> found = new ArrayList<>();
        try (Admin admin = Admin.create(config)) {
            KafkaTestClient kafka = new KafkaTestClient(Suite.get().kafka.bootstrapServers());
            for (String topic : admin.listTopics().names().get()) {
                kafka.readAll(topic, Duration.ofMillis(500), Duration.ofSeconds(10)).stream()
                        .filter(record -> record.value() != null && record.value().contains(token))
                        .forEach(record -> found.add(topic + "@" + record.offset()));
            }
        }
        assertThat(found).isNotNull();
        return found;
    }
}
