package io.meridian.email;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.InjectSmtp;
import io.meridian.testsupport.SmtpServer;
import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class EmailResourceTest {

    @InjectSmtp
    SmtpServer smtp;

    private static String admin() {
        return Tokens.admin(UUID.randomUUID(), "admin@example.com");
    }

    private static String recipient(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    private static Map<String, Object> welcome(String to) {
        return Map.of("to", to, "template", "welcome", "data", Map.of("displayName", "Ann", "email", to));
    }

    @Test
    void anAdminSendsAMailAndSeesItsDelivery() {
        String to = recipient("admin-sent");
        String id = given().auth().oauth2(admin()).contentType(ContentType.JSON).body(welcome(to))
                .when().post("/api/email/messages")
                .then().statusCode(202).body("to", equalTo(to)).body("template", equalTo("welcome"))
                .body("status", equalTo("QUEUED")).body("id", notNullValue())
                .extract().path("id");

        await().atMost(Duration.ofSeconds(30)).until(() -> Arrays.stream(smtp.mail().getReceivedMessages())
                .anyMatch(m -> m.toString() != null && recipients(m).contains(to)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().auth().oauth2(admin())
                .when().get("/api/email/messages/" + id).then().statusCode(200).body("status", equalTo("SENT"))
                .body("attempts", equalTo(1)).body("sentAt", notNullValue()));
        given().auth().oauth2(admin()).queryParam("to", to).when().get("/api/email/messages")
                .then().statusCode(200).body("items", hasSize(1)).body("total", equalTo(1));
        given().auth().oauth2(admin()).queryParam("status", "SENT").queryParam("size", 1).when().get("/api/email/messages")
                .then().statusCode(200).body("items", hasSize(1)).body("size", equalTo(1));
    }

    @Test
    void aClientNeedsTheEmailSendScope() {
        given().auth().oauth2(Tokens.client("mc_mailer", "email:send")).contentType(ContentType.JSON)
                .body(welcome(recipient("client"))).when().post("/api/email/messages").then().statusCode(202);
        given().auth().oauth2(Tokens.client("mc_reader", "rag:read")).contentType(ContentType.JSON)
                .body(welcome(recipient("client"))).when().post("/api/email/messages").then().statusCode(403);
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "u@example.com")).contentType(ContentType.JSON)
                .body(welcome(recipient("user"))).when().post("/api/email/messages").then().statusCode(403);
        given().contentType(ContentType.JSON).body(welcome(recipient("anon")))
                .when().post("/api/email/messages").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void badRecipientsAndUnknownTemplatesAre400() {
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("to", "not an address", "template", "welcome", "data", Map.of()))
                .when().post("/api/email/messages").then().statusCode(400).body("errors[0].field", equalTo("to"));
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("to", recipient("tpl"), "template", "no-such-template"))
                .when().post("/api/email/messages").then().statusCode(400).body("errors[0].field", equalTo("template"));
    }

    @Test
    void deliveriesAndTemplatesAreForAdmins() {
        String user = Tokens.user(UUID.randomUUID(), "u@example.com");
        given().auth().oauth2(user).when().get("/api/email/messages").then().statusCode(403);
        given().auth().oauth2(user).when().get("/api/email/templates").then().statusCode(403);
        given().auth().oauth2(admin()).when().get("/api/email/messages/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void templatesAreListedWithTheirVariablesAndPreviewed() {
        given().auth().oauth2(admin()).when().get("/api/email/templates")
                .then().statusCode(200).body("name", hasItem("password-reset"))
                .body("find { it.name == 'password-reset' }.variables", hasItem("link"));
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("data", Map.of("displayName", "Ann", "link", "https://x.example/r?token=t1",
                        "expiresAt", "soon")))
                .when().post("/api/email/templates/password-reset/preview")
                .then().statusCode(200).body("subject", equalTo("Reset your Meridian password"))
                .body("html", containsString("https://x.example/r?token=t1"))
                .body("text", containsString("https://x.example/r?token=t1"))
                .body("text", org.hamcrest.Matchers.not(containsString("Ann"))); // no name anybody could have chosen
        given().auth().oauth2(admin()).contentType(ContentType.JSON).body(Map.of("data", Map.of()))
                .when().post("/api/email/templates/password-reset/preview").then().statusCode(400);
        given().auth().oauth2(admin()).contentType(ContentType.JSON).body(Map.of("data", Map.of()))
                .when().post("/api/email/templates/nothing/preview").then().statusCode(404);
    }

    @Test
    void anAgentsMessageCarriesItsSubjectAndBodyWithTheRunLink() {
        given().auth().oauth2(admin()).contentType(ContentType.JSON)
                .body(Map.of("data", Map.of("agentName", "Researcher", "subject", "Your summary",
                        "body", "Gannets dive at 24 m/s.", "runId", "r-42")))
                .when().post("/api/email/templates/agent-message/preview")
                // the subject is neutral: what the agent (its user) wrote goes into the body only
                .then().statusCode(200).body("subject", equalTo("A message from your Meridian agent"))
                .body("text", containsString("Subject: Your summary"))
                .body("text", containsString("Gannets dive at 24 m/s."))
                .body("text", containsString("/agents/runs/r-42"))
                .body("html", containsString("Gannets dive at 24 m/s."));
    }

    @Test
    void aRecipientGetsAtMostFivePasswordResetMailsAnHourAndTheSixthIsRecordedAsRefused() {
        String to = recipient("limited");
        for (int i = 0; i < 6; i++) {
            given().auth().oauth2(admin()).contentType(ContentType.JSON)
                    .body(Map.of("to", to, "template", "password-reset",
                            "data", Map.of("displayName", "L", "link", "https://x.example/r?token=" + i, "expiresAt", "soon")))
                    .when().post("/api/email/messages").then().statusCode(202);
        }
        given().auth().oauth2(admin()).queryParam("to", to).queryParam("status", "FAILED").when().get("/api/email/messages")
                .then().statusCode(200).body("items", hasSize(1))
                .body("items[0].lastError", containsString("at most 5 password-reset mails an hour"));
        given().auth().oauth2(admin()).queryParam("to", to).when().get("/api/email/messages")
                .then().body("total", equalTo(6));
    }

    private static String recipients(jakarta.mail.internet.MimeMessage message) {
        try {
            return Arrays.toString(message.getAllRecipients());
        } catch (Exception e) {
            return "";
        }
    }
}
