package io.meridian.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Sign-in through the stand-in OpenID Connect provider on loopback, as a browser would go back and forth. */
@QuarkusTest
class OidcLoginTest extends AuthTestSupport {

    /** Our authorize endpoint, then the provider's, ending at the callback URL the provider sends the browser to. */
    private Map<String, String> signInAtProvider(String email, String subject, boolean verified, String tamper) {
        Response start = given().redirects().follow(false).when().get("/api/auth/oauth/stand-in/authorize");
        start.then().statusCode(303).header("Cache-Control", "no-store");
        String toProvider = start.header("Location");
        Map<String, String> query = StandInOidcProvider.query(URI.create(toProvider).getRawQuery());
        assertThat(query).containsEntry("code_challenge_method", "S256").containsEntry("response_type", "code")
                .containsKeys("state", "nonce", "code_challenge");
        assertThat(query.get("code_challenge")).doesNotContain(query.get("state"));
        String binding = start.getCookie("meridian_oidc");
        assertThat(start.getDetailedCookie("meridian_oidc").isHttpOnly()).isTrue();
        Response atProvider = given().redirects().follow(false).urlEncodingEnabled(false)
                .when().get(toProvider + "&login_hint=" + email + "&sub=" + subject + "&email_verified=" + verified
                        + (tamper == null ? "" : "&tamper=" + tamper));
        atProvider.then().statusCode(302);
        Map<String, String> back = new java.util.HashMap<>(StandInOidcProvider.query(URI.create(atProvider.header("Location")).getRawQuery()));
        back.put("cookie", binding);
        return back;
    }

    /** The browser comes back: the provider's code and state, and the cookie our authorize endpoint set. */
    private Response callback(Map<String, String> back) {
        var request = given().queryParam("code", back.get("code")).queryParam("state", back.get("state"));
        if (back.get("cookie") != null) {
            request.cookie("meridian_oidc", back.get("cookie"));
        }
        return request.when().get("/api/auth/oauth/stand-in/callback");
    }

    @Test
    void aNewPersonSignsInAndGetsAnAccount() {
        String email = uniqueEmail("oidc-new");
        Response tokens = callback(signInAtProvider(email, "sub-" + email, true, null));
        tokens.then().statusCode(200).body("tokenType", equalTo("Bearer"));
        given().auth().oauth2(tokens.<String>path("accessToken")).when().get("/api/auth/me")
                .then().statusCode(200).body("email", equalTo(email)).body("emailVerified", equalTo(true));
    }

    @Test
    void anExistingAccountIsLinkedByVerifiedEmailAndThenBySubject() {
        Account account = register("oidc-link");
        Tokens squatter = login(account);
        Response first = callback(signInAtProvider(account.email(), "sub-link-" + account.id(), true, null));
        first.then().statusCode(200);
        assertThat(claims(first.path("accessToken")).path("sub").asText()).isEqualTo(account.id());
        // The address was never verified here: whoever registered it loses the password and the sessions.
        loginResponse(account.email(), PASSWORD, newAddress()).then().statusCode(401);
        given().auth().oauth2(squatter.access()).when().get("/api/auth/me").then().statusCode(401);
        // Later the provider reports another email for the same subject: the link holds.
        Response again = callback(signInAtProvider(uniqueEmail("changed"), "sub-link-" + account.id(), true, null));
        assertThat(claims(again.path("accessToken")).path("sub").asText()).isEqualTo(account.id());
    }

    @Test
    void anUnverifiedEmailIsNotLinked() {
        Account account = register("oidc-unverified");
        callback(signInAtProvider(account.email(), "sub-unverified-" + account.id(), false, null))
                .then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void aStateWorksOnceOnly() {
        Map<String, String> back = signInAtProvider(uniqueEmail("oidc-once"), "sub-once-" + System.nanoTime(), true, null);
        callback(back).then().statusCode(200);
        callback(back).then().statusCode(400);
        given().queryParam("code", "x").queryParam("state", "made-up")
                .when().get("/api/auth/oauth/stand-in/callback").then().statusCode(400);
    }

    @Test
    void aCodeReplayedWithAnotherSignInFailsPkce() {
        Map<String, String> victim = signInAtProvider(uniqueEmail("oidc-victim"), "sub-victim-" + System.nanoTime(), true, null);
        Map<String, String> attacker = signInAtProvider(uniqueEmail("oidc-attacker"), "sub-att-" + System.nanoTime(), true, null);
        // The victim's code with the attacker's state: the provider sees the wrong code_verifier.
        callback(Map.of("code", victim.get("code"), "state", attacker.get("state"), "cookie", attacker.get("cookie")))
                .then().statusCode(401);
    }

    @Test
    void aCallbackFromAnotherBrowserIsRefused() {
        Map<String, String> back = signInAtProvider(uniqueEmail("oidc-leak"), "sub-leak-" + System.nanoTime(), true, null);
        callback(Map.of("code", back.get("code"), "state", back.get("state"))).then().statusCode(400);
        callback(Map.of("code", back.get("code"), "state", back.get("state"), "cookie", "someone-elses")).then().statusCode(400);
    }

    @Test
    void idTokensWithAnotherNonceOrAudienceAreRefused() {
        callback(signInAtProvider(uniqueEmail("oidc-nonce"), "sub-n-" + System.nanoTime(), true, "nonce")).then().statusCode(401);
        callback(signInAtProvider(uniqueEmail("oidc-aud"), "sub-a-" + System.nanoTime(), true, "audience")).then().statusCode(401);
    }

    @Test
    void theProvidersRefusalAndUnknownProvidersAnswerProblems() {
        given().queryParam("error", "access_denied").queryParam("state", "x")
                .when().get("/api/auth/oauth/stand-in/callback").then().statusCode(401);
        given().redirects().follow(false).when().get("/api/auth/oauth/nowhere/authorize").then().statusCode(404);
    }
}
