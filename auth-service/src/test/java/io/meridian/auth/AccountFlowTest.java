package io.meridian.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class AccountFlowTest extends AuthTestSupport {

    @Test
    void registrationCreatesAUserAndAsksForEmailVerification() {
        String email = uniqueEmail("Reg");
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("email", email, "password", PASSWORD, "displayName", "Ann"))
                .when().post("/api/auth/register")
                .then().statusCode(201)
                .header("Location", notNullValue())
                .body("email", equalTo(email.toLowerCase()))
                .body("displayName", equalTo("Ann"))
                .body("roles", containsInAnyOrder("user"))
                .body("emailVerified", equalTo(false))
                .body("createdAt", notNullValue())
                .extract().path("id");

        List<JsonNode> registered = await().atMost(Duration.ofSeconds(30))
                .until(() -> events(id, "user.registered"), list -> !list.isEmpty());
        assertThat(registered.get(0).path("data").path("email").asText()).isEqualTo(email.toLowerCase());
        assertThat(registered.get(0).path("data").has("password")).isFalse();
        List<JsonNode> verification = events(id, "user.email-verification-requested");
        assertThat(verification).hasSize(1);
        // The token travels sealed for email-service: the event (outbox, Kafka) holds nothing usable.
        assertThat(verification.get(0).path("data").has("token")).isFalse();
        assertThat(verification.get(0).path("data").path("sealedToken").asText()).isNotBlank();
        assertThat(mailedToken(verification.get(0))).hasSizeGreaterThanOrEqualTo(43);
    }

    @Test
    void sameEmailCannotRegisterTwice() {
        Account account = register("dup");
        given().contentType(ContentType.JSON)
                .body(Map.of("email", account.email().toUpperCase(), "password", PASSWORD, "displayName", "Again"))
                .when().post("/api/auth/register")
                .then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void weakOrInvalidRegistrationsAreRefusedWithTheField() {
        given().contentType(ContentType.JSON)
                .body(Map.of("email", uniqueEmail("weak"), "password", "short", "displayName", "W"))
                .when().post("/api/auth/register")
                .then().statusCode(400).body("errors[0].field", equalTo("password"));
        given().contentType(ContentType.JSON)
                .body(Map.of("email", uniqueEmail("common"), "password", "qwerty123456", "displayName", "W"))
                .when().post("/api/auth/register")
                .then().statusCode(400).body("errors[0].message", equalTo("is one of the most common passwords"));
        given().contentType(ContentType.JSON)
                .body(Map.of("email", uniqueEmail("long"), "password", "x".repeat(129), "displayName", "W"))
                .when().post("/api/auth/register")
                .then().statusCode(400).body("errors[0].field", equalTo("password"));
        given().contentType(ContentType.JSON)
                .body(Map.of("email", "not-an-email", "password", PASSWORD, "displayName", ""))
                .when().post("/api/auth/register")
                .then().statusCode(400).body("errors.field", containsInAnyOrder("email", "displayName"));
    }

    @Test
    void emailIsVerifiedWithTheMailedTokenOnce() {
        Account account = register("verify");
        String token = mailedToken(await().atMost(Duration.ofSeconds(30))
                .until(() -> events(account.id(), "user.email-verification-requested"), l -> !l.isEmpty())
                .get(0));

        given().contentType(ContentType.JSON).body(Map.of("token", token))
                .when().post("/api/auth/verify-email").then().statusCode(204);
        given().contentType(ContentType.JSON).body(Map.of("token", token))
                .when().post("/api/auth/verify-email").then().statusCode(400);
        given().auth().oauth2(login(account).access()).when().get("/api/auth/me")
                .then().statusCode(200).body("emailVerified", equalTo(true));
        // email-service learns that the address is proved
        assertThat(await().atMost(Duration.ofSeconds(30))
                .until(() -> events(account.id(), "user.email-verified"), l -> !l.isEmpty())).hasSize(1);
    }

    @Test
    void meAnswersTheSignedInUser() {
        Account account = register("me");
        given().auth().oauth2(login(account).access()).when().get("/api/auth/me")
                .then().statusCode(200).body("id", equalTo(account.id())).body("email", equalTo(account.email()));
        given().when().get("/api/auth/me").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void changingThePasswordEndsTheOtherSessions() {
        Account account = register("change");
        Tokens here = login(account);
        Tokens elsewhere = login(account);

        given().auth().oauth2(here.access()).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", "wrong-password-123", "newPassword", "brand-new-secret-42"))
                .when().put("/api/auth/me/password")
                .then().statusCode(400).body("errors[0].field", equalTo("currentPassword"));
        given().auth().oauth2(here.access()).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", PASSWORD, "newPassword", "brand-new-secret-42"))
                .when().put("/api/auth/me/password").then().statusCode(204);

        given().auth().oauth2(here.access()).when().get("/api/auth/me").then().statusCode(200);
        given().auth().oauth2(elsewhere.access()).when().get("/api/auth/me").then().statusCode(401);
        loginResponse(account.email(), PASSWORD, newAddress()).then().statusCode(401);
        login(account.email(), "brand-new-secret-42");
        await().atMost(Duration.ofSeconds(30)).until(() -> events(account.id(), "user.password-changed"), l -> !l.isEmpty());
    }

    @Test
    void passwordResetAnswersAlikeForUnknownEmailsAndPublishesNothingForThem() {
        String nobody = uniqueEmail("nobody");
        given().contentType(ContentType.JSON).body(Map.of("email", nobody))
                .when().post("/api/auth/password-reset").then().statusCode(202);
        Account account = register("reset");
        given().contentType(ContentType.JSON).body(Map.of("email", account.email()))
                .when().post("/api/auth/password-reset").then().statusCode(202);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> events(account.id(), "user.password-reset-requested"), l -> l.size() == 1);
        // The known account's event is out, and the unknown email's request came first: nothing was written for it.
        assertThat(infra.kafkaClient().readAll("auth.users", Duration.ofMillis(700), Duration.ofSeconds(15)))
                .noneMatch(record -> record.value().contains(nobody));
    }

    @Test
    void aHashWithOldParametersIsReplacedAtTheNextLogin() throws Exception {
        Account account = register("rehash");
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        var params = new org.bouncycastle.crypto.params.Argon2Parameters.Builder(
                org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_id).withVersion(0x13)
                .withMemoryAsKB(8192).withIterations(1).withParallelism(1).withSalt(salt).build();
        var generator = new org.bouncycastle.crypto.generators.Argon2BytesGenerator();
        generator.init(params);
        byte[] hash = new byte[32];
        generator.generateBytes(PASSWORD.getBytes(java.nio.charset.StandardCharsets.UTF_8), hash);
        var b64 = java.util.Base64.getEncoder().withoutPadding();
        String old = "$argon2id$v=19$m=8192,t=1,p=1$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
        try (var connection = infra.database();
                PreparedStatement update = connection.prepareStatement("update app_user set password_hash = ? where id = ?::uuid")) {
            update.setString(1, old);
            update.setString(2, account.id());
            assertThat(update.executeUpdate()).isEqualTo(1);
        }

        login(account);

        try (var connection = infra.database();
                PreparedStatement query = connection.prepareStatement("select password_hash from app_user where id = ?::uuid")) {
            query.setString(1, account.id());
            var row = query.executeQuery();
            row.next();
            assertThat(row.getString(1)).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        }
        login(account);
    }

    @Test
    void passwordResetSetsTheNewPasswordOnceAndEndsEverySession() {
        Account account = register("resetok");
        Tokens before = login(account);
        given().contentType(ContentType.JSON).body(Map.of("email", account.email()))
                .when().post("/api/auth/password-reset").then().statusCode(202);
        JsonNode mail = await().atMost(Duration.ofSeconds(30))
                .until(() -> events(account.id(), "user.password-reset-requested"), l -> !l.isEmpty()).get(0);
        String token = mailedToken(mail);

        given().contentType(ContentType.JSON).body(Map.of("token", token, "newPassword", "after-the-reset-2026"))
                .when().post("/api/auth/password-reset/confirm").then().statusCode(204);
        given().contentType(ContentType.JSON).body(Map.of("token", token, "newPassword", "second-try-with-token"))
                .when().post("/api/auth/password-reset/confirm").then().statusCode(400);

        given().auth().oauth2(before.access()).when().get("/api/auth/me").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", before.refresh()))
                .when().post("/api/auth/refresh").then().statusCode(401);
        login(account.email(), "after-the-reset-2026");
    }

    @Test
    void aPasswordChangeSpendsEarlierResetLinks() {
        Account account = register("spent-link");
        given().contentType(ContentType.JSON).body(Map.of("email", account.email()))
                .when().post("/api/auth/password-reset").then().statusCode(202);
        String token = mailedToken(await().atMost(Duration.ofSeconds(30))
                .until(() -> events(account.id(), "user.password-reset-requested"), l -> !l.isEmpty())
                .get(0));
        given().auth().oauth2(login(account).access()).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", PASSWORD, "newPassword", "owner-changed-it-77"))
                .when().put("/api/auth/me/password").then().statusCode(204);
        given().contentType(ContentType.JSON).body(Map.of("token", token, "newPassword", "attacker-wants-this-1"))
                .when().post("/api/auth/password-reset/confirm").then().statusCode(400);
    }

    @Test
    void aLateResetTokenIsRefused() throws Exception {
        Account account = register("late");
        given().contentType(ContentType.JSON).body(Map.of("email", account.email()))
                .when().post("/api/auth/password-reset").then().statusCode(202);
        String token = mailedToken(await().atMost(Duration.ofSeconds(30))
                .until(() -> events(account.id(), "user.password-reset-requested"), l -> !l.isEmpty())
                .get(0));
        try (var connection = infra.database();
                PreparedStatement expire = connection.prepareStatement(
                        "update one_time_token set expires_at = now() - interval '1 minute' where user_id = ?::uuid and purpose = 'PASSWORD_RESET'")) {
            expire.setString(1, account.id());
            assertThat(expire.executeUpdate()).isEqualTo(1);
        }
        given().contentType(ContentType.JSON).body(Map.of("token", token, "newPassword", "too-late-for-this-1"))
                .when().post("/api/auth/password-reset/confirm").then().statusCode(400);
    }

    @Test
    void sessionsAreListedAndRevocableByTheirOwnerOnly() {
        Account account = register("sessions");
        Tokens first = login(account);
        Tokens second = login(account);
        String firstSession = claims(first.access()).path("sid").asText();

        given().auth().oauth2(second.access()).when().get("/api/auth/sessions")
                .then().statusCode(200).body("$", hasSize(2))
                .body("find { it.current }.id", equalTo(claims(second.access()).path("sid").asText()))
                .body("ip", hasItem(notNullValue()));

        Tokens stranger = login(register("stranger"));
        given().auth().oauth2(stranger.access()).when().delete("/api/auth/sessions/" + firstSession)
                .then().statusCode(404);
        given().auth().oauth2(second.access()).when().delete("/api/auth/sessions/" + firstSession)
                .then().statusCode(204);
        given().auth().oauth2(first.access()).when().get("/api/auth/me").then().statusCode(401);
        given().auth().oauth2(second.access()).when().get("/api/auth/sessions").then().body("$", hasSize(1));
    }
}
