package io.meridian.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

@QuarkusTest
class AdminAndClientTest extends AuthTestSupport {

    @Test
    void theFirstAdminComesFromConfiguration() {
        given().auth().oauth2(admin().access()).when().get("/api/auth/me")
                .then().statusCode(200).body("roles", containsInAnyOrder("admin", "user"));
    }

    @Test
    void usersCannotCallAdminEndpoints() {
        String user = login(register("plain")).access();
        given().auth().oauth2(user).when().get("/api/auth/users").then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(user).contentType(ContentType.JSON).body(Map.of("roles", List.of("admin")))
                .when().put("/api/auth/users/00000000-0000-0000-0000-000000000001/roles").then().statusCode(403);
        given().auth().oauth2(user).when().delete("/api/auth/users/00000000-0000-0000-0000-000000000001").then().statusCode(403);
        given().auth().oauth2(user).contentType(ContentType.JSON).body(Map.of("name", "x", "scopes", List.of("cache:read")))
                .when().post("/api/auth/clients").then().statusCode(403);
        given().when().get("/api/auth/users").then().statusCode(401);
    }

    @Test
    void adminStatsCountTodaysLoginsForTheGatewaysAnalytics() {
        String admin = admin().access();
        given().auth().oauth2(admin).when().get("/admin/stats").then().statusCode(200)
                .body("loginsPerDay.logins", hasItem(greaterThanOrEqualTo(1)))
                .body("activeSessions", greaterThanOrEqualTo(1))
                .body("users", greaterThanOrEqualTo(1));
        given().auth().oauth2(login(register("stats")).access()).when().get("/admin/stats").then().statusCode(403);
    }

    @Test
    void adminsListAndSearchUsersInPages() {
        Account account = register("Findable");
        String admin = admin().access();
        given().auth().oauth2(admin).queryParam("q", account.email()).when().get("/api/auth/users")
                .then().statusCode(200).body("items", hasSize(1)).body("items[0].id", equalTo(account.id()))
                .body("total", equalTo(1)).body("page", equalTo(0)).body("size", equalTo(20));
        given().auth().oauth2(admin).queryParam("size", 2).when().get("/api/auth/users")
                .then().statusCode(200).body("items", hasSize(2)).body("total", greaterThanOrEqualTo(2));
        given().auth().oauth2(admin).queryParam("size", 101).when().get("/api/auth/users").then().statusCode(400);
    }

    @Test
    void grantedRolesShowInTheNextTokenAndRemovedRolesEndTheSessions() {
        Account account = register("promoted");
        String admin = admin().access();
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("roles", List.of("user", "admin")))
                .when().put("/api/auth/users/" + account.id() + "/roles")
                .then().statusCode(200).body("roles", containsInAnyOrder("user", "admin"));
        Tokens promoted = login(account);
        assertThat(claims(promoted.access()).path("groups").toString()).contains("admin");
        assertThat(claims(promoted.access()).path("scope").asText()).contains("users:write");

        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("roles", List.of("user")))
                .when().put("/api/auth/users/" + account.id() + "/roles").then().statusCode(200);
        given().auth().oauth2(promoted.access()).when().get("/api/auth/me").then().statusCode(401);
        await().atMost(Duration.ofSeconds(30)).until(() -> events(account.id(), "user.roles-changed"), l -> l.size() == 2);

        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("roles", List.of("superuser")))
                .when().put("/api/auth/users/" + account.id() + "/roles").then().statusCode(400);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("roles", List.of("user")))
                .when().put("/api/auth/users/" + java.util.UUID.randomUUID() + "/roles").then().statusCode(404);
    }

    @Test
    void deletingAUserEndsEverythingAndAnnouncesIt() {
        Account account = register("deleted");
        Tokens tokens = login(account);
        String admin = admin().access();
        given().auth().oauth2(admin).when().delete("/api/auth/users/" + account.id()).then().statusCode(204);
        given().auth().oauth2(tokens.access()).when().get("/api/auth/me").then().statusCode(401);
        loginResponse(account.email(), PASSWORD, newAddress()).then().statusCode(401);
        given().auth().oauth2(admin).when().delete("/api/auth/users/" + account.id()).then().statusCode(404);
        await().atMost(Duration.ofSeconds(30)).until(() -> events(account.id(), "user.deleted"), l -> l.size() == 1);
    }

    @Test
    void permissionsAreCheckedByRoleForUsers() {
        Account account = register("perm");
        String user = login(account).access();
        given().auth().oauth2(user).contentType(ContentType.JSON).body(Map.of("resource", "rag", "action", "read"))
                .when().post("/api/auth/permissions/check").then().statusCode(200).body("allowed", equalTo(true));
        given().auth().oauth2(user).contentType(ContentType.JSON).body(Map.of("resource", "users", "action", "write"))
                .when().post("/api/auth/permissions/check").then().statusCode(200).body("allowed", equalTo(false));
        given().auth().oauth2(user).contentType(ContentType.JSON)
                .body(Map.of("resource", "rag", "action", "read", "userId", account.id()))
                .when().post("/api/auth/permissions/check").then().statusCode(403);
        given().auth().oauth2(admin().access()).contentType(ContentType.JSON)
                .body(Map.of("resource", "users", "action", "write", "userId", account.id()))
                .when().post("/api/auth/permissions/check").then().statusCode(200).body("allowed", equalTo(false));
        given().contentType(ContentType.JSON).body(Map.of("resource", "rag", "action", "read"))
                .when().post("/api/auth/permissions/check").then().statusCode(401);
    }

    @Test
    void machineClientsGetTokensWithTheirScopes() {
        String admin = admin().access();
        Response created = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "indexer", "scopes", List.of("cache:read", "cache:write")))
                .when().post("/api/auth/clients");
        created.then().statusCode(201).body("clientId", notNullValue()).body("clientSecret", notNullValue())
                .header("Cache-Control", "no-store");
        String clientId = created.path("clientId");
        String secret = created.path("clientSecret");

        Response token = given().formParam("grant_type", "client_credentials").formParam("client_id", clientId)
                .formParam("client_secret", secret).formParam("scope", "cache:read")
                .when().post("/api/auth/token");
        token.then().statusCode(200).body("token_type", equalTo("Bearer")).body("expires_in", equalTo(900))
                .body("scope", equalTo("cache:read"));
        String access = token.path("access_token");
        assertThat(claims(access).path("sub").asText()).isEqualTo(clientId);
        assertThat(claims(access).path("client_id").asText()).isEqualTo(clientId);
        assertThat(claims(access).path("sid").asText()).isNotBlank(); // the client's token session, revocable
        given().auth().oauth2(access).contentType(ContentType.JSON).body(Map.of("resource", "cache", "action", "read"))
                .when().post("/api/auth/permissions/check").then().statusCode(200).body("allowed", equalTo(true));
        given().auth().oauth2(access).contentType(ContentType.JSON).body(Map.of("resource", "cache", "action", "write"))
                .when().post("/api/auth/permissions/check").then().statusCode(200).body("allowed", equalTo(false));
        given().auth().oauth2(access).when().get("/api/auth/me").then().statusCode(403);

        given().auth().preemptive().basic(clientId, secret).formParam("grant_type", "client_credentials")
                .when().post("/api/auth/token").then().statusCode(200).body("scope", equalTo("cache:read cache:write"));
    }

    @Test
    void theTokenEndpointAnswersOAuthErrors() {
        String admin = admin().access();
        Response created = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "limited", "scopes", List.of("cache:read"))).when().post("/api/auth/clients");
        String clientId = created.path("clientId");
        given().formParam("grant_type", "client_credentials").formParam("client_id", clientId)
                .formParam("client_secret", "wrong").when().post("/api/auth/token")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
        given().formParam("grant_type", "client_credentials").formParam("client_id", "mc_unknown")
                .formParam("client_secret", "whatever").when().post("/api/auth/token")
                .then().statusCode(401).body("error", equalTo("invalid_client"));
        given().formParam("grant_type", "password").formParam("client_id", clientId)
                .when().post("/api/auth/token").then().statusCode(400).body("error", equalTo("unsupported_grant_type"));
        given().formParam("grant_type", "client_credentials").formParam("client_id", clientId)
                .formParam("client_secret", created.<String>path("clientSecret")).formParam("scope", "users:write")
                .when().post("/api/auth/token").then().statusCode(400).body("error", equalTo("invalid_scope"));
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "bad", "scopes", List.of("everything:all"))).when().post("/api/auth/clients")
                .then().statusCode(400);
        // a permission users have, but no service checks it for machine clients: it cannot be granted
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "promise", "scopes", List.of("rag:read"))).when().post("/api/auth/clients")
                .then().statusCode(400).body("detail", org.hamcrest.Matchers.containsString("cannot be granted"));
    }

    @Test
    void metricsCountLoginsAndRegistrations() {
        Account account = register("metrics");
        login(account);
        loginResponse(account.email(), "wrong-password-9", newAddress());
        given().when().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("meridian_auth_registrations_total"))
                .body(org.hamcrest.Matchers.containsString("meridian_auth_logins_total{outcome=\"failure\",reason=\"bad-credentials\"}"))
                .body(org.hamcrest.Matchers.containsString("meridian_auth_logins_total{outcome=\"success\",reason=\"none\"}"));
    }

    @jakarta.inject.Inject
    io.meridian.auth.service.AuthMetrics metrics;

    @Test
    void theSigningKeysAgeIsAGaugeForTheRotationAlert() {
        metrics.sampleGauges();
        String exposition = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        double age = exposition.lines().filter(l -> l.startsWith("meridian_auth_signing_key_age_seconds"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
        // A key signs from the service's start, and rotates after days: its age is known and small in a test run.
        org.assertj.core.api.Assertions.assertThat(age).isBetween(0.0, 24 * 3600.0);
        org.assertj.core.api.Assertions.assertThat(exposition).contains("meridian_auth_signing_key_age_seconds");
    }
}
