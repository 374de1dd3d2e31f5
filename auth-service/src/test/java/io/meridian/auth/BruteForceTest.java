package io.meridian.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Failed logins are throttled per account-and-address and per address; parallel guessing gains nothing. */
@QuarkusTest
class BruteForceTest extends AuthTestSupport {

    @Test
    void serialGuessesAgainstOneAccountAreDelayed() {
        Account account = register("serial");
        String attacker = newAddress();
        for (int i = 0; i < 6; i++) {
            loginResponse(account.email(), "guess-number-" + i, attacker).then().statusCode(401);
        }
        Response throttled = loginResponse(account.email(), "guess-number-7", attacker);
        throttled.then().statusCode(429).contentType("application/problem+json");
        assertThat(Integer.parseInt(throttled.header("Retry-After"))).isPositive();
        // Even the right password waits out the delay.
        loginResponse(account.email(), PASSWORD, attacker).then().statusCode(429);
    }

    @Test
    void aLockedAccountIsNotLockedForItsOwnerElsewhere() {
        Account account = register("owner");
        String attacker = newAddress();
        for (int i = 0; i < 8; i++) {
            loginResponse(account.email(), "guess-number-" + i, attacker);
        }
        loginResponse(account.email(), PASSWORD, attacker).then().statusCode(429);
        loginResponse(account.email(), PASSWORD, newAddress()).then().statusCode(200);
    }

    @Test
    void parallelGuessesGetNoMoreTriesThanSerialOnes() throws Exception {
        Account account = register("parallel");
        String attacker = newAddress();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Integer>> guesses = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String guess = "parallel-guess-" + i;
                guesses.add(() -> loginResponse(account.email(), guess, attacker).statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> status : pool.invokeAll(guesses)) {
                statuses.add(status.get());
            }
            // Five free attempts and one more that starts the delay, as for serial guesses.
            assertThat(statuses.stream().filter(s -> s == 401).count()).isEqualTo(6);
            assertThat(statuses.stream().filter(s -> s == 429).count()).isEqualTo(26);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void wrongCurrentPasswordsFromManyAddressesGetNoMoreHashesThanFromOne() throws Exception {
        Account account = register("holder");
        String token = login(account).access();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Integer>> guesses = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String guess = "stolen-token-guess-" + i;
                String address = newAddress(); // a stolen token used from 32 addresses at once
                guesses.add(() -> io.restassured.RestAssured.given().auth().oauth2(token)
                        .contentType(io.restassured.http.ContentType.JSON).header("X-Forwarded-For", address)
                        .body(java.util.Map.of("currentPassword", guess, "newPassword", "a-new-long-passphrase-" + guess))
                        .when().put("/api/auth/me/password").statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> status : pool.invokeAll(guesses)) {
                statuses.add(status.get());
            }
            // the account's attempts are counted across addresses: five free, one that starts the delay
            assertThat(statuses.stream().filter(s -> s == 400).count()).isEqualTo(6);
            assertThat(statuses.stream().filter(s -> s == 429).count()).isEqualTo(26);
        } finally {
            pool.shutdownNow();
        }
        // signing in is throttled apart: the owner still gets in
        loginResponse(account.email(), PASSWORD, newAddress()).then().statusCode(200);
    }

    @Test
    void oneAddressGuessingAcrossManyAccountsIsDelayed() {
        String attacker = newAddress();
        for (int i = 0; i < 21; i++) {
            loginResponse(uniqueEmail("spray"), "spray-password-2026", attacker).then().statusCode(401);
        }
        loginResponse(uniqueEmail("spray"), "spray-password-2026", attacker).then().statusCode(429);
    }

    @Test
    void aSuccessfulLoginStartsTheAccountCountOver() {
        Account account = register("reset-count");
        String address = newAddress();
        for (int i = 0; i < 4; i++) {
            loginResponse(account.email(), "almost-" + i, address).then().statusCode(401);
        }
        loginResponse(account.email(), PASSWORD, address).then().statusCode(200);
        for (int i = 0; i < 5; i++) {
            loginResponse(account.email(), "again-" + i, address).then().statusCode(401);
        }
    }
}
