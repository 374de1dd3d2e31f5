package io.meridian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The client's address behind an ingress: the tests run with {@code trusted-proxies=127.0.0.2/32, 10.0.0.0/8}. A
 * stand-in ingress is a client that connects from 127.0.0.2 and sets X-Forwarded-For as an ingress controller does;
 * every other client connects from 127.0.0.1, an untrusted peer.
 */
@QuarkusTest
class ClientAddressTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI gateway;

    @Inject
    RedisDataSource redis;

    private static HttpClient from(String local) throws Exception {
        return HttpClient.newBuilder().localAddress(InetAddress.getByName(local)).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private HttpResponse<String> login(HttpClient client, String... forwardedFor) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.resolve("/api/auth/login"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
        for (String value : forwardedFor) {
            request.header("X-Forwarded-For", value);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String seenAddress(HttpResponse<String> echoed) throws Exception {
        JsonNode headers = JSON.readTree(echoed.body()).path("headers");
        return headers.path("x-forwarded-for").asText();
    }

    @Test
    void eachForwardedClientBehindTheTrustedIngressHasABucketOfItsOwn() throws Exception {
        HttpClient ingress = from("127.0.0.2");
        String run = "100";
        Set<String> seen = new HashSet<>();
        List<String> remaining = new ArrayList<>();
        // 40 clients through one ingress: with one bucket for the ingress, the login class (10) would refuse 30.
        for (int i = 1; i <= 40; i++) {
            String client = "198.51." + run + "." + i;
            HttpResponse<String> answer = login(ingress, client);
            assertThat(answer.statusCode()).as("client %s", client).isEqualTo(200);
            remaining.add(answer.headers().firstValue("RateLimit-Remaining").orElse("?"));
            seen.add(seenAddress(answer));
        }
        assertThat(remaining).containsOnly("9");
        assertThat(seen).hasSize(40).allMatch(address -> address.startsWith("198.51." + run + "."));

        // One of them past its own limit is refused; its neighbour is not.
        String busy = "198.51." + run + ".200";
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            statuses.add(login(ingress, busy).statusCode());
        }
        assertThat(statuses.subList(0, 10)).containsOnly(200);
        assertThat(statuses.get(11)).isEqualTo(429);
        assertThat(login(ingress, "198.51." + run + ".201").statusCode()).isEqualTo(200);
    }

    @Test
    void theChainIsReadFromTheRightAndWhatTheClientWroteIsNotBelieved() throws Exception {
        HttpClient ingress = from("127.0.0.2");
        // An appending ingress: the client wrote 203.0.113.66, the ingress added the peer it saw, then another trusted
        // hop (10.1.2.3) in front of the gateway.
        HttpResponse<String> appended = login(ingress, "203.0.113.66, 192.0.2.7, 10.1.2.3");
        assertThat(seenAddress(appended)).isEqualTo("192.0.2.7");
        // The same chain over two header lines.
        HttpResponse<String> lines = login(ingress, "203.0.113.66, 192.0.2.9", "10.1.2.3");
        assertThat(seenAddress(lines)).isEqualTo("192.0.2.9");
        // A hop that is not an address ends the walk at the last one that was.
        HttpResponse<String> garbage = login(ingress, "not-an-address, 192.0.2.8");
        assertThat(seenAddress(garbage)).isEqualTo("192.0.2.8");
        HttpResponse<String> hidden = login(ingress, "_hidden");
        assertThat(seenAddress(hidden)).isEqualTo("127.0.0.2");
        // RFC 7239 Forwarded when there is no X-Forwarded-For.
        HttpResponse<String> forwarded = ingress.send(HttpRequest.newBuilder(gateway.resolve("/api/auth/login"))
                .header("Content-Type", "application/json").header("Forwarded", "for=\"[2001:db8::17]:4711\";proto=https")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(seenAddress(forwarded)).isEqualTo("2001:db8::17");
    }

    @Test
    void anUntrustedPeersForwardingHeadersAreIgnored() throws Exception {
        String buckets = ConfigProvider.getConfig().getValue("meridian.gateway.rate-limit-key-prefix", String.class)
                + "login:ip:";
        HttpClient direct = from("127.0.0.1");
        HttpResponse<String> answer = login(direct, "203.0.113.99");
        assertThat(seenAddress(answer)).isEqualTo("127.0.0.1");
        HttpResponse<String> forwarded = direct.send(HttpRequest.newBuilder(gateway.resolve("/api/auth/login"))
                .header("Content-Type", "application/json").header("Forwarded", "for=203.0.113.98")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode headers = JSON.readTree(forwarded.body()).path("headers");
        assertThat(headers.path("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
        assertThat(headers.has("forwarded")).as("the client's Forwarded header is not passed on").isFalse();
        assertThat(redis.key().exists(buckets + "127.0.0.1")).isTrue();
        assertThat(redis.key().exists(buckets + "203.0.113.99")).isFalse();
        assertThat(redis.key().exists(buckets + "203.0.113.98")).isFalse();
    }
}
