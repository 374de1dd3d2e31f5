package io.meridian.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** A person's account, through the gateway only, with the mail they receive read from the SMTP server. */
class AccountJourneyTest {

    @BeforeAll
    static void suite() {
        RestAssured.baseURI = Suite.get().gateway();
    }

    @Test
    void registerVerifyLogInRefreshListSessionsLogOutAndTheOldTokenIsRefusedAtOnce() {
        String email = "ada-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String password = "Correct horse battery " + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(Map.of("email", email, "password", password, "displayName", "Ada"))
                .when().post("/api/auth/register").then().statusCode(201).body("emailVerified", equalTo(false));

        var verification = Mails.awaitMessages(email, 1).stream()
                .filter(m -> Mails.subject(m).contains("Confirm")).findFirst().orElseThrow();
        given().contentType(ContentType.JSON).body(Map.of("token", Mails.token(verification)))
                .when().post("/api/auth/verify-email").then().statusCode(204);

        JsonPath pair = login(email, password);
        String access = pair.getString("accessToken");
        given().auth().oauth2(access).when().get("/api/auth/me")
                .then().statusCode(200).body("email", equalTo(email)).body("emailVerified", equalTo(true));

        JsonPath refreshed = given().contentType(ContentType.JSON).body(Map.of("refreshToken", pair.getString("refreshToken")))
                .when().post("/api/auth/refresh").then().statusCode(200).extract().jsonPath();
        String current = refreshed.getString("accessToken");
        given().auth().oauth2(current).when().get("/api/auth/sessions")
                .then().statusCode(200).body("current", hasItem(true));

        given().auth().oauth2(current).contentType(ContentType.JSON)
                .body(Map.of("refreshToken", refreshed.getString("refreshToken")))
                .when().post("/api/auth/logout").then().statusCode(204);
        // Refused at the edge and by the service at once: the session is on the deny-list.
        given().auth().oauth2(current).when().get("/api/auth/me").then().statusCode(401);
        given().auth().oauth2(current).when().get("/api/rag/collections").then().statusCode(401);
    }

    @Test
    void aSpentRefreshTokenUsedAgainEndsItsWholeSession() {
        String email = "eve-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String password = "Eve keeps tokens " + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(Map.of("email", email, "password", password, "displayName", "Eve"))
                .when().post("/api/auth/register").then().statusCode(201);
        JsonPath first = login(email, password);
        JsonPath second = given().contentType(ContentType.JSON).body(Map.of("refreshToken", first.getString("refreshToken")))
                .when().post("/api/auth/refresh").then().statusCode(200).extract().jsonPath();
        given().auth().oauth2(second.getString("accessToken")).when().get("/api/auth/me").then().statusCode(200);

        given().contentType(ContentType.JSON).body(Map.of("refreshToken", first.getString("refreshToken")))
                .when().post("/api/auth/refresh").then().statusCode(401);
        // A stolen, already rotated token was replayed: the session it belongs to ends for everyone holding it.
        given().auth().oauth2(second.getString("accessToken")).when().get("/api/auth/me").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", second.getString("refreshToken")))
                .when().post("/api/auth/refresh").then().statusCode(401);
    }

    @Test
    void aForgottenPasswordIsResetFromTheMailAndOldSessionsEnd() {
        String email = "grace-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String password = "Old password of Grace " + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(Map.of("email", email, "password", password, "displayName", "Grace"))
                .when().post("/api/auth/register").then().statusCode(201);
        String oldSession = login(email, password).getString("accessToken");

        given().contentType(ContentType.JSON).body(Map.of("email", email))
                .when().post("/api/auth/password-reset").then().statusCode(202);
        var reset = Mails.awaitMessages(email, 2).stream()
                .filter(m -> Mails.subject(m).contains("Reset")).findFirst().orElseThrow();
        String newPassword = "New password of Grace " + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(Map.of("token", Mails.token(reset), "newPassword", newPassword))
                .when().post("/api/auth/password-reset/confirm").then().statusCode(204);

        given().auth().oauth2(oldSession).when().get("/api/auth/me").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("email", email, "password", password))
                .when().post("/api/auth/login").then().statusCode(401);
        assertThat(login(email, newPassword).getString("accessToken")).isNotBlank();
        List<String> subjects = Mails.awaitMessages(email, 4).stream().map(Mails::subject).toList();
        assertThat(subjects).anyMatch(s -> s.contains("password was changed"));
    }

    @Test
    void everyServiceIsHealthyThroughTheGateway() {
        given().when().get("/health").then().statusCode(200).body("status", equalTo("UP"))
                .body("services.auth.status", equalTo("UP")).body("services.rag.status", equalTo("UP"))
                .body("services.agent.status", equalTo("UP")).body("services.cache.status", equalTo("UP"))
                .body("services.email.status", equalTo("UP"));
    }

    static JsonPath login(String email, String password) {
        return given().contentType(ContentType.JSON).body(Map.of("email", email, "password", password))
                .when().post("/api/auth/login").then().statusCode(200).extract().jsonPath();
    }
}
