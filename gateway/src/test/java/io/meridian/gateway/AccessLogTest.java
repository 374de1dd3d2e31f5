package io.meridian.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** Every request leaves one JSON line on the {@code meridian.access} logger. */
@QuarkusTest
class AccessLogTest {

    @Test
    void aProxiedRequestIsOneJsonLineWithWhoWhereAndHowLong() {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger access = Logger.getLogger("meridian.access");
        access.addHandler(capture);
        try {
            UUID userId = UUID.randomUUID();
            given().header("X-Request-Id", "access-log-1").auth().oauth2(Tokens.user(userId, "log@example.com"))
                    .when().get("/api/rag/notes?secret=not-logged").then().statusCode(200);

            String line = await().atMost(Duration.ofSeconds(5)).until(
                    () -> lines.stream().filter(l -> l.contains("access-log-1")).findFirst().orElse(null),
                    found -> found != null);
            JsonObject json = new JsonObject(line);
            assertThat(json.getString("requestId")).isEqualTo("access-log-1");
            assertThat(json.getString("userId")).isEqualTo(userId.toString());
            assertThat(json.getString("service")).isEqualTo("rag");
            assertThat(json.getString("class")).isEqualTo("protected");
            assertThat(json.getString("method")).isEqualTo("GET");
            assertThat(json.getString("path")).isEqualTo("/api/rag/notes");
            assertThat(json.getInteger("status")).isEqualTo(200);
            assertThat(json.getDouble("upstreamMs")).isPositive();
            assertThat(json.getDouble("totalMs")).isGreaterThanOrEqualTo(json.getDouble("upstreamMs"));
        } finally {
            access.removeHandler(capture);
        }
    }
}
