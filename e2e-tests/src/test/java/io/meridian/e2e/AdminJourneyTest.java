package io.meridian.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/** An operator's day through the gateway: users and roles, a machine client and its grant, the platform's views. */
class AdminJourneyTest {

    private static String admin;

    @BeforeAll
    static void signIn() {
        RestAssured.baseURI = Suite.get().gateway();
        admin = AccountJourneyTest.login(Suite.ADMIN_EMAIL, Suite.ADMIN_PASSWORD).getString("accessToken");
    }

    @Test
    void usersAreListedAndARoleChangeTakesEffect() {
        String email = "ops-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String password = "Ops person password " + UUID.randomUUID();
        String id = given().contentType(ContentType.JSON).body(Map.of("email", email, "password", password, "displayName", "Ops"))
                .when().post("/api/auth/register").then().statusCode(201).extract().path("id");
        given().auth().oauth2(admin).queryParam("q", email).when().get("/api/auth/users")
                .then().statusCode(200).body("items.email", hasItem(email));
        String before = AccountJourneyTest.login(email, password).getString("accessToken");
        given().auth().oauth2(before).when().get("/api/admin/config").then().statusCode(403);

        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("roles", List.of("user", "admin")))
                .when().put("/api/auth/users/" + id + "/roles").then().statusCode(200).body("roles", hasItem("admin"));
        String after = AccountJourneyTest.login(email, password).getString("accessToken");
        given().auth().oauth2(after).when().get("/api/admin/config").then().statusCode(200);
    }

    @Test
    void aMachineClientGetsATokenByClientCredentialsAndUsesTheCache() {
        var client = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "e2e-indexer", "scopes", List.of("cache:read", "cache:write")))
                .when().post("/api/auth/clients").then().statusCode(201).extract().jsonPath();
        String token = given().formParam("grant_type", "client_credentials").formParam("client_id", client.getString("clientId"))
                .formParam("client_secret", client.getString("clientSecret")).formParam("scope", "cache:read cache:write")
                .when().post("/api/auth/token").then().statusCode(200).body("token_type", equalTo("Bearer"))
                .extract().path("access_token");
        given().auth().oauth2(token).contentType("text/plain").body("hello from a machine")
                .when().put("/api/cache/e2e/greeting?ttl=60").then().statusCode(204);
        assertThat(given().auth().oauth2(token).when().get("/api/cache/e2e/greeting").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/plain")).extract().asString()).isEqualTo("hello from a machine");
        given().auth().oauth2(token).when().get("/api/cache/stats").then().statusCode(403); // admins only
    }

    @Test
    void analyticsConfigHealthAndOpenApiCoverEveryService() {
        given().auth().oauth2(admin).when().get("/api/admin/analytics").then().statusCode(200)
                .body("services", notNullValue());
        var config = given().auth().oauth2(admin).when().get("/api/admin/config").then().statusCode(200).extract().asString();
        assertThat(config).contains("auth").contains("rag").contains("agent").contains("cache").contains("email")
                .doesNotContain(Suite.ADMIN_PASSWORD);
        given().when().get("/health").then().statusCode(200).body("status", equalTo("UP"));
        String openapi = given().when().get("/openapi").then().statusCode(200).extract().asString();
        assertThat(openapi).contains("/api/auth/login").contains("/api/rag/search").contains("/api/agents")
                .contains("/api/cache/").contains("/api/email/messages");
    }

    @Test
    void graphQlReadsTheSameAsRest() {
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("query", "{ me { email roles } collections { id } agents { id } models { id status } tools { name } }"))
                .when().post("/graphql").then().statusCode(200)
                .body("errors", equalTo(null))
                .body("data.me.email", equalTo(Suite.ADMIN_EMAIL))
                .body("data.me.roles", hasItem("admin"))
                .body("data.models.find { it.id == 'primary' }.status", equalTo("UP"))
                .body("data.tools.name", hasItem("calculator"));
    }
}
