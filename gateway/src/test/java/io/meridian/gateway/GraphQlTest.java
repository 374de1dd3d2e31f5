package io.meridian.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code POST /graphql} resolves {@code me} by calling auth-service with the caller's token. The stand-in auth-service
 * echoes the request, so the answer shows what the gateway sent it.
 */
@QuarkusTest
class GraphQlTest {

    @Test
    void meIsResolvedThroughAuthServiceWithTheCallersToken() {
        UUID userId = UUID.randomUUID();
        String token = Tokens.user(userId, "graph@example.com");
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("query", "{ me { id email } }"))
                .when().post("/graphql")
                .then().statusCode(200)
                .body("errors", equalTo(null))
                .body("data.me.id", equalTo(userId.toString()))
                .body("data.me.email", equalTo("graph@example.com"));
    }

    @Test
    void withoutATokenGraphQlIsAnAuthenticationError() {
        given().contentType("application/json").body(Map.of("query", "{ me { id } }"))
                .when().post("/graphql")
                .then().statusCode(401).contentType("application/problem+json").header("WWW-Authenticate", "Bearer")
                .body("detail", notNullValue());
        given().auth().oauth2("not.a.token").contentType("application/json").body(Map.of("query", "{ me { id } }"))
                .when().post("/graphql").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void collectionsDocumentsSearchAndAskAreResolvedThroughRagServiceWithTheCallersToken() {
        UUID userId = UUID.randomUUID();
        String token = Tokens.user(userId, "reader@example.com");
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("query", """
                        { collections { id name documentCount }
                          documents(collectionId: "c1") { id title status chunkCount }
                          search(query: "gannets", collectionIds: ["c1"], mode: "keyword") { documentId title text score }
                          ask(question: "why gannets", collectionIds: ["c1"]) { answer mode citations { documentId title } } }"""))
                .when().post("/graphql")
                .then().statusCode(200)
                .body("errors", equalTo(null))
                .body("data.collections[0].name", equalTo("Collection of " + userId))
                .body("data.documents[0].title", equalTo("Doc of " + userId))
                .body("data.documents[0].status", equalTo("INDEXED"))
                .body("data.search[0].text", equalTo("gannets"))
                .body("data.ask.answer", equalTo("About why gannets [1]"))
                .body("data.ask.citations[0].title", equalTo("Found"));
    }
}
