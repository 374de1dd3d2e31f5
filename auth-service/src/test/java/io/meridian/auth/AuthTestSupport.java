package io.meridian.auth;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.testsupport.Infrastructure;
import io.meridian.testsupport.InjectInfrastructure;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Steps that auth tests share: register, sign in, read the account's events from Kafka. */
abstract class AuthTestSupport {

    static final String PASSWORD = "quiet-lantern-orchard-71";
    static final ObjectMapper JSON = new ObjectMapper();

    @InjectInfrastructure
    Infrastructure infra;

    record Account(String id, String email, String password) {
    }

    record Tokens(String access, String refresh) {
    }

    static String uniqueEmail(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    /** A fresh client address, so that throttling in one test never touches another. */
    static String newAddress() {
        return "10." + (int) (Math.random() * 250) + "." + (int) (Math.random() * 250) + "." + (1 + (int) (Math.random() * 250));
    }

    Account register(String prefix) {
        String email = uniqueEmail(prefix);
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("email", email, "password", PASSWORD, "displayName", "Test " + prefix))
                .when().post("/api/auth/register").then().statusCode(201).extract().path("id");
        return new Account(id, email, PASSWORD);
    }

    Response loginResponse(String email, String password, String address) {
        return given().contentType(ContentType.JSON).header("X-Forwarded-For", address)
                .body(Map.of("email", email, "password", password))
                .when().post("/api/auth/login");
    }

    Tokens login(Account account) {
        return login(account.email(), account.password());
    }

    Tokens login(String email, String password) {
        Response response = loginResponse(email, password, newAddress());
        response.then().statusCode(200);
        return new Tokens(response.path("accessToken"), response.path("refreshToken"));
    }

    Tokens admin() {
        return login("root@meridian.test", "correct horse battery staple");
    }

    /** The account's events on auth.users of the given type, oldest first. */
    List<JsonNode> events(String userId, String type) {
        List<ConsumerRecord<String, String>> records = infra.kafkaClient()
                .readAll("auth.users", Duration.ofMillis(700), Duration.ofSeconds(15));
        return records.stream().filter(r -> userId.equals(r.key())).map(r -> parse(r.value()))
                .filter(e -> type.equals(e.path("type").asText())).toList();
    }

    /** The one-time token of a mail event, opened with the key email-service has (the test profile's). */
    static String mailedToken(JsonNode event) {
        String key = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("meridian.auth.mail-link-key",
                String.class);
        return io.meridian.platform.security.Sealer.ofBase64(key, "test key").openString(
                event.path("data").path("sealedToken").asText(), event.path("type").asText() + ":"
                        + event.path("data").path("userId").asText());
    }

    static JsonNode claims(String jwt) {
        return parse(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    static JsonNode header(String jwt) {
        return parse(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8));
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
