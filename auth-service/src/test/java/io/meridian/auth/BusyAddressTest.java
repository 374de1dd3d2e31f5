package io.meridian.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Many people behind one address (an office, a carrier's NAT, or every client when the proxy chain is misread) sign in
 * at once while the hash is slow: correct passwords are never refused, because the address counts failed checks, not
 * attempts in flight. The hash is made six times slower than the default here so that every attempt overlaps.
 */
@QuarkusTest
@TestProfile(BusyAddressTest.SlowHash.class)
class BusyAddressTest extends AuthTestSupport {

    public static final class SlowHash implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("meridian.auth.passwords.argon2-iterations", "12");
        }
    }

    @Test
    void aBurstOfCorrectLoginsFromOneBusyAddressIsNeverRefused() throws Exception {
        String office = newAddress();
        List<Account> people = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            people.add(register("office" + i));
        }
        // The address is one failure short of its delay (20 free): 19 mistyped passwords, each for another person.
        for (int i = 0; i < 19; i++) {
            loginResponse(people.get(i).email(), "mistyped-password-" + i, office).then().statusCode(401);
        }
        ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            List<Callable<Integer>> logins = new ArrayList<>();
            for (Account person : people) {
                logins.add(() -> loginResponse(person.email(), person.password(), office).statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> status : pool.invokeAll(logins)) {
                statuses.add(status.get());
            }
            assertThat(statuses).hasSize(24).containsOnly(200);
        } finally {
            pool.shutdownNow();
        }
        // Failures still count: the 20th is free, the 21st starts the delay for the whole address.
        loginResponse(people.get(0).email(), "mistyped-again-1", office).then().statusCode(401);
        loginResponse(people.get(1).email(), "mistyped-again-2", office).then().statusCode(401);
        loginResponse(people.get(2).email(), people.get(2).password(), office).then().statusCode(429);
    }
}
