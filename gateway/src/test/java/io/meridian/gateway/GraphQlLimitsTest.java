package io.meridian.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * GraphQL goes through the edge's limits (the tests' default bucket holds 20 and refills 10 a second): a query past
 * the depth, alias or call budget is refused before any service is called, and every upstream call a query makes
 * costs one token from the caller's bucket.
 */
@QuarkusTest
class GraphQlLimitsTest {

    private static Response graphql(String token, String query) {
        return given().auth().oauth2(token).contentType("application/json").body(Map.of("query", query))
                .when().post("/graphql");
    }

    private static String aliased(int count) {
        StringBuilder query = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            query.append(" a").append(i).append(": ask(question: \"q").append(i)
                    .append("\", collectionIds: [\"c1\"]) { answer }");
        }
        return query.append(" }").toString();
    }

    @Test
    void fiftyAliasedAsksAreRefusedBeforeAnyServiceIsCalled() {
        String token = Tokens.user(UUID.randomUUID(), "alias@example.com");
        graphql(token, aliased(50)).then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("50 aliases"));
    }

    @Test
    void deepQueriesAndTooManyCallsAreRefused() {
        String token = Tokens.user(UUID.randomUUID(), "deep@example.com");
        graphql(token, "{ run(id: \"r\") { steps { usage: tool } usage { inputTokens } } me { id } collections { id }"
                + " agents { id } tools { name } models { id } documents(collectionId: \"c\") { id } agent(id: \"a\") { id }"
                + " search(query: \"x\", collectionIds: [\"c\"]) { text } ask(question: \"y\", collectionIds: [\"c\"]) { answer }"
                + " me2: me { email } }")
                .then().statusCode(400).body("detail", containsString("11 service calls"));
        String deep = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }";
        graphql(token, deep).then().statusCode(400).body("detail", containsString("levels deep"));
        graphql(token, "{ me { id ").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void eachUpstreamCallCostsATokenFromTheCallersBucket() {
        String token = Tokens.user(UUID.randomUUID(), "charged@example.com");
        String tenCalls = aliased(10);
        graphql(token, tenCalls).then().statusCode(200).body("data.a9.answer", equalTo("About q9 [1]"));
        graphql(token, tenCalls).then().statusCode(200);
        Response third = graphql(token, tenCalls);
        third.then().statusCode(429).contentType("application/problem+json").body("detail", containsString("10 service calls"));
        // another caller is untouched
        graphql(Tokens.user(UUID.randomUUID(), "other@example.com"), "{ me { id } }").then().statusCode(200)
                .body("errors", equalTo(null));
    }
}
