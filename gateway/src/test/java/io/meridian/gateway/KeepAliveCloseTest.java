package io.meridian.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.meridian.testsupport.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A service that closes every kept-alive connection under the fourth request on it ({@link ClosingUpstream}), under a
 * bounded load of 600 GETs from 8 callers at once: every request gets its answer (the gateway sends it again on a new
 * connection), none is a 503, and the breaker stays closed.
 */
@QuarkusTest
class KeepAliveCloseTest {

    /** Metrics are on the management interface, not on the public port. */
    private final String metricsUrl = Management.url("/q/metrics");

    @Test
    void connectionsTheServiceClosesUnderARequestCostNoErrors() throws Exception {
        double retriesBefore = retries();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> requests = new ArrayList<>();
            for (int user = 0; user < 40; user++) {
                String token = Tokens.user(UUID.randomUUID(), "keepalive" + user + "@example.com");
                for (int i = 0; i < 15; i++) {
                    String path = i % 5 == 4 ? "/api/closing/items/" + i : "/api/closing/items";
                    boolean delete = i % 5 == 4;
                    requests.add(() -> delete
                            ? given().auth().oauth2(token).when().delete(path).statusCode()
                            : given().auth().oauth2(token).when().get(path).statusCode());
                }
            }
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (Future<Integer> status : callers.invokeAll(requests)) {
                statuses.merge(status.get(), 1, Integer::sum);
            }
            assertThat(statuses).containsExactly(Map.entry(200, 600));
        } finally {
            callers.shutdownNow();
        }
        // The closes happened and were absorbed by retries, not by luck.
        assertThat(retries() - retriesBefore).isGreaterThan(50);
    }

    private double retries() {
        String metrics = given().when().get(metricsUrl).then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith("meridian_gateway_upstream_retries_total")
                && line.contains("service=\"closing\"")).mapToDouble(line -> Double.parseDouble(
                        line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
