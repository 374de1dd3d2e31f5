package io.meridian.platform.problem;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class ProblemJsonTest {

    @Test
    void validationFailureListsEveryInvalidField() {
        given().contentType(ContentType.JSON).body("{\"text\": \"\", \"priority\": 9}")
                .when().post("/notes")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://meridian.dev/problems/validation"))
                .body("title", equalTo("Validation failed"))
                .body("status", equalTo(400))
                .body("instance", equalTo("/notes"))
                .body("requestId", notNullValue())
                .body("errors", hasSize(2))
                .body("errors.field", hasItem("text"))
                .body("errors.field", hasItem("priority"));
    }

    @Test
    void invalidQueryParameterNamesTheParameter() {
        given().when().get("/notes/search?size=500")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("size"));
    }

    @Test
    void malformedJsonIsABadRequest() {
        given().contentType(ContentType.JSON).body("{\"text\": \"unterminated")
                .when().post("/notes")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://meridian.dev/problems/malformed-json"))
                .body("detail", not(containsString("Exception")));
    }

    @Test
    void textWithANulCharacterIsRefusedNamingTheFieldAndNothingIsWritten() {
        given().contentType(ContentType.JSON).body("{\"text\": \"before\\u0000after\", \"priority\": 1}")
                .when().post("/notes")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("text"))
                .body("errors[0].message", equalTo("must not contain NUL characters"));
    }

    @Test
    void aNulCharacterInThePathOrQueryIsABadRequest() {
        given().urlEncodingEnabled(false).when().get("/notes/search?q=a%00b")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("The path or query contains a NUL character."));
        given().urlEncodingEnabled(false).when().get("/notes/%00")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void wrongTypeNamesTheField() {
        given().contentType(ContentType.JSON).body("{\"text\": \"hello\", \"priority\": \"high\"}")
                .when().post("/notes")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("priority"))
                .body("errors[0].message", containsString("int"));
    }

    @Test
    void unsupportedMediaTypeIs415() {
        given().contentType(ContentType.XML).body("<note/>")
                .when().post("/notes")
                .then().statusCode(415).contentType("application/problem+json")
                .body("status", equalTo(415))
                .body("detail", containsString("application/xml"));
    }

    @Test
    void bodyOverTheLimitIs413() {
        String big = "{\"text\": \"" + "x".repeat(2 * 1024 * 1024) + "\", \"priority\": 1}";
        given().contentType(ContentType.JSON).body(big)
                .when().post("/notes")
                .then().statusCode(413).contentType("application/problem+json")
                .body("status", equalTo(413))
                .body("requestId", notNullValue());
    }

    @Test
    void unknownPathIs404() {
        given().when().get("/no/such/thing")
                .then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("https://meridian.dev/problems/not-found"))
                .body("instance", equalTo("/no/such/thing"));
    }

    @Test
    void missingResourceIs404WithItsDetail() {
        UUID id = UUID.randomUUID();
        given().when().get("/notes/" + id)
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("No note " + id + "."));
    }

    @Test
    void wrongMethodIs405WithAllow() {
        given().when().delete("/notes/conflict")
                .then().statusCode(405).contentType("application/problem+json")
                .body("type", equalTo("https://meridian.dev/problems/method-not-allowed"));
    }

    @Test
    void missingTokenIs401() {
        given().when().get("/notes/admin")
                .then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"));
    }

    @Test
    void invalidTokenIs401() {
        given().auth().oauth2("not-a-jwt").when().get("/notes/admin")
                .then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void userWithoutTheRoleIs403() {
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "ann@example.com"))
                .when().get("/notes/admin")
                .then().statusCode(403).contentType("application/problem+json")
                .body("status", equalTo(403));
    }

    @Test
    void adminTokenIsAccepted() {
        given().auth().oauth2(Tokens.admin(UUID.randomUUID(), "root@example.com"))
                .when().get("/notes/admin")
                .then().statusCode(200).body("ok", equalTo(true));
    }

    @Test
    void conflictIs409() {
        given().contentType(ContentType.JSON).when().post("/notes/conflict")
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", equalTo("A note with this text exists already."));
    }

    @Test
    void unexpectedFailureIs500WithoutInternals() {
        given().header("X-Request-Id", "req-boom-1")
                .when().get("/notes/boom")
                .then().statusCode(500).contentType("application/problem+json")
                .body("requestId", equalTo("req-boom-1"))
                .body("detail", not(containsString("secret")))
                .body(not(containsString("IllegalStateException")))
                .body(not(containsString("at io.meridian")));
    }

    @Test
    void requestIdIsEchoedWhenGiven() {
        given().header("X-Request-Id", "client-chosen-42")
                .when().get("/q/health/live")
                .then().header("X-Request-Id", equalTo("client-chosen-42"));
    }

    @Test
    void requestIdIsPassedOnToServicesCalledThroughRestClients() {
        given().header("X-Request-Id", "chain-7")
                .when().get("/notes/downstream-request-id")
                .then().statusCode(200).body(equalTo("chain-7"));
    }

    @Test
    void requestIdIsGeneratedWhenMissingOrUnsafe() {
        given().header("X-Request-Id", "bad id; drop table notes")
                .when().get("/no/such/thing")
                .then().header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"))
                .body("requestId", matchesPattern("[0-9a-f-]{36}"));
    }
}
