package io.meridian.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.meridian.platform.security.RevokedSessionKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Machine clients can be taken back: an admin lists them, rotates a secret, disables, enables and deletes them. A
 * disabled, rotated or deleted client's outstanding tokens stop working at once: auth-service refuses them itself, and
 * their token session is on the Redis deny-list that the gateway and every service consult.
 */
@QuarkusTest
class ClientLifecycleTest extends AuthTestSupport {

    @Inject
    RedisDataSource redis;

    private static Response token(String clientId, String secret) {
        return given().formParam("grant_type", "client_credentials").formParam("client_id", clientId)
                .formParam("client_secret", secret).when().post("/api/auth/token");
    }

    private static Response check(String access) {
        return given().auth().oauth2(access).contentType(ContentType.JSON)
                .body(Map.of("resource", "cache", "action", "read")).when().post("/api/auth/permissions/check");
    }

    private boolean denied(String access) {
        return redis.key().exists(RevokedSessionKeys.key(claims(access).path("sid").asText()));
    }

    @Test
    void disablingRotatingAndDeletingAClientEndItsTokensAtOnce() {
        String admin = admin().access();
        Response created = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "nightly-export", "scopes", List.of("cache:read"))).when().post("/api/auth/clients");
        String clientId = created.path("clientId");
        String secret = created.path("clientSecret");
        given().auth().oauth2(admin).when().get("/api/auth/clients").then().statusCode(200)
                .body("find { it.clientId == '" + clientId + "' }.enabled", equalTo(true))
                .body("find { it.clientId == '" + clientId + "' }.name", equalTo("nightly-export"));

        String first = token(clientId, secret).then().statusCode(200).extract().path("access_token");
        check(first).then().statusCode(200).body("allowed", equalTo(true));

        // Disabled: its token is refused here and denied everywhere, and it gets no new one.
        given().auth().oauth2(admin).when().post("/api/auth/clients/" + clientId + "/disable").then().statusCode(204);
        check(first).then().statusCode(401);
        Awaitility.await().until(() -> denied(first));
        token(clientId, secret).then().statusCode(401).body("error", equalTo("invalid_client"));
        given().auth().oauth2(admin).when().get("/api/auth/clients").then()
                .body("find { it.clientId == '" + clientId + "' }.enabled", equalTo(false));

        // Enabled again: new tokens work, the old one stays dead.
        given().auth().oauth2(admin).when().post("/api/auth/clients/" + clientId + "/enable").then().statusCode(204);
        String second = token(clientId, secret).then().statusCode(200).extract().path("access_token");
        check(second).then().statusCode(200);
        check(first).then().statusCode(401);

        // A rotated secret: the old secret and the tokens issued with it stop working.
        Response rotated = given().auth().oauth2(admin).when().post("/api/auth/clients/" + clientId + "/secret");
        rotated.then().statusCode(200).header("Cache-Control", "no-store");
        String newSecret = rotated.path("clientSecret");
        assertThat(newSecret).isNotEqualTo(secret);
        token(clientId, secret).then().statusCode(401);
        check(second).then().statusCode(401);
        Awaitility.await().until(() -> denied(second));
        String third = token(clientId, newSecret).then().statusCode(200).extract().path("access_token");
        check(third).then().statusCode(200);

        // Deleted: gone from the list, its last token denied.
        given().auth().oauth2(admin).when().delete("/api/auth/clients/" + clientId).then().statusCode(204);
        check(third).then().statusCode(401);
        Awaitility.await().until(() -> denied(third));
        token(clientId, newSecret).then().statusCode(401);
        given().auth().oauth2(admin).when().get("/api/auth/clients").then()
                .body("find { it.clientId == '" + clientId + "' }", equalTo(null));
    }

    @Test
    void onlyAdminsManageClients() {
        Account user = register("not-admin");
        String access = login(user).access();
        given().auth().oauth2(access).when().get("/api/auth/clients").then().statusCode(403);
        given().auth().oauth2(access).when().post("/api/auth/clients/mc_x/disable").then().statusCode(403);
        given().auth().oauth2(admin().access()).when().post("/api/auth/clients/mc_unknown/disable").then().statusCode(404);
    }
}
