package io.meridian.platform.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class EffectiveConfigResourceTest {

    @Test
    void adminsSeeTheEffectiveSettingsWithSecretsRedacted() {
        Map<String, String> settings = given().auth().oauth2(Tokens.admin(UUID.randomUUID(), "ops@example.com"))
                .when().get("/admin/config").then().statusCode(200).extract().jsonPath().getMap("");
        assertThat(settings).containsEntry("quarkus.application.name", "service-defaults-test")
                .containsEntry("meridian.test.db-password", "***")
                .containsEntry("meridian.test.cache-url", "redis://***@cache.internal:6379/0")
                .containsKey("mp.jwt.verify.issuer");
        assertThat(settings.values()).noneMatch(value -> value.contains("hunter2") || value.contains("s3cret"));
    }

    @Test
    void othersAreRefused() {
        given().when().get("/admin/config").then().statusCode(401);
        given().auth().oauth2(Tokens.user(UUID.randomUUID(), "u@example.com")).when().get("/admin/config")
                .then().statusCode(403).body("status", equalTo(403));
    }

    @Test
    void redactionCoversNamesAndUrls() {
        assertThat(EffectiveConfigResource.redact("quarkus.datasource.password", "x")).isEqualTo("***");
        assertThat(EffectiveConfigResource.redact("quarkus.datasource.password", "")).isEmpty();
        assertThat(EffectiveConfigResource.redact("meridian.db.url", "jdbc:postgresql://h/db?password=p&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?password=***&ssl=true");
        assertThat(EffectiveConfigResource.redact("quarkus.http.port", "8080")).isEqualTo("8080");
        // As an environment variable such as MERIDIAN_AUTH_KEY_ENCRYPTION_KEY turns into a property name:
        assertThat(EffectiveConfigResource.redact("meridian.auth.key.encryption.key", "c2VjcmV0")).isEqualTo("***");
        assertThat(EffectiveConfigResource.redact("meridian.auth.oidc.google.client-secret", "x")).isEqualTo("***");
        assertThat(EffectiveConfigResource.redact("meridian.auth.passwords.min-length", "12")).isEqualTo("12");
        assertThat(EffectiveConfigResource.redact("meridian.auth.tokens.password-reset-ttl", "PT1H")).isEqualTo("PT1H");
    }
}
