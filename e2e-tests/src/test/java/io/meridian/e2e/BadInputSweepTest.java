package io.meridian.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Bad input for every operation of the merged OpenAPI document, as clients get it wrong or attack: no token and a
 * forged one, path parameters that are not ids or try to escape, bodies missing, empty, with every field of the wrong
 * type, oversized, in odd Unicode or carrying injection strings, and the wrong content type. No answer may be a 5xx,
 * and none may show a stack trace.
 */
class BadInputSweepTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STACK_TRACE = Pattern.compile("\\bat (java|io|org|com)\\.[\\w.$]+\\(|java\\.lang\\.\\w+Exception|\\.java:\\d+\\)");
    private static final List<String> NASTY = List.of("' OR '1'='1' --", "<script>alert(1)</script>", "${jndi:ldap://x/a}",
            "../../../../etc/passwd", "\u202e\u0000\uFEFF\uD83D\uDE00\uD835\uDD4F", "{{7*7}}", "%00%0d%0a");
    private static final Set<String> WRITES = Set.of("post", "put", "patch");
    private static final Set<String> SESSION_ENDING = Set.of("/api/auth/logout", "/api/auth/me/password",
            "/api/auth/sessions/{id}");

    private static List<String> tokens;
    private static String admin;
    private static JsonNode document;

    @BeforeAll
    static void callers() throws Exception {
        RestAssured.baseURI = Suite.get().gateway();
        admin = AccountJourneyTest.login(Suite.ADMIN_EMAIL, Suite.ADMIN_PASSWORD).getString("accessToken");
        tokens = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tokens.add(FaultsTest.Account.register("sweep").token());
        }
        document = JSON.readTree(given().when().get("/openapi").then().statusCode(200).extract().asString());
    }

    @Test
    void noOperationAnswersBadInputWithA5xxOrAStackTrace() {
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new LinkedHashMap<>();
        int sent = 0;
        int operations = 0;
        List<Map.Entry<String, JsonNode>> ordered = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(ordered::add);
        // Operations that end the caller's own session go last, so the callers' tokens serve every other operation.
        ordered.sort(java.util.Comparator.comparing(e -> SESSION_ENDING.contains(e.getKey())));
        for (Map.Entry<String, JsonNode> path : ordered) {
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext();) {
                Map.Entry<String, JsonNode> method = methods.next();
                if (!Set.of("get", "post", "put", "patch", "delete").contains(method.getKey())) {
                    continue;
                }
                operations++;
                for (Attempt attempt : attempts(path.getKey(), method.getKey(), method.getValue())) {
                    String token = attempt.token == Caller.USER ? tokens.get(sent % tokens.size())
                            : attempt.token == Caller.ADMIN ? admin : attempt.token == Caller.FORGED ? "abc.def.ghi" : null;
                    Response response = send(method.getKey(), attempt, token);
                    sent++;
                    statuses.merge(response.statusCode(), 1, Integer::sum);
                    String body = response.asString();
                    if (response.statusCode() >= 500 || STACK_TRACE.matcher(body).find()) {
                        failures.add(response.statusCode() + " " + method.getKey().toUpperCase() + " " + attempt.path
                                + " [" + attempt.what + "]: " + body.substring(0, Math.min(300, body.length())));
                    }
                    if (sent % 60 == 0) {
                        Suite.sleep(400); // under the gateway's rate limits, so the requests reach the services
                    }
                }
            }
        }
        System.out.printf("bad-input sweep: %d requests over %d operations; statuses %s%n", sent, operations, statuses);
        assertThat(operations).as("operations in the merged document").isGreaterThan(40);
        assertThat(sent).isGreaterThanOrEqualTo(1000);
        assertThat(failures).as("5xx answers or stack traces").isEmpty();
        assertThat(statuses.getOrDefault(429, 0)).as("answers stopped by rate limits").isLessThan(sent / 10);
    }

    private enum Caller { NONE, FORGED, USER, ADMIN }

    private record Attempt(String path, Caller token, String contentType, String body, String what) {
    }

    private static List<Attempt> attempts(String template, String method, JsonNode operation) {
        List<Attempt> attempts = new ArrayList<>();
        String ids = template.replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
        ObjectNode valid = example(operation);
        attempts.add(new Attempt(ids, Caller.NONE, "application/json", valid.toString(), "no token"));
        attempts.add(new Attempt(ids, Caller.FORGED, "application/json", valid.toString(), "forged token"));
        for (String odd : List.of("not-an-id", "..%2F..%2Fetc%2Fpasswd", "%E2%80%AE%F0%9F%98%80", "x".repeat(2000))) {
            if (template.contains("{")) {
                attempts.add(new Attempt(template.replaceAll("\\{[^}]+}", odd), Caller.USER, "application/json",
                        valid.toString(), "path " + odd.substring(0, Math.min(12, odd.length()))));
            }
        }
        attempts.add(new Attempt(ids + "?page=-1&size=100000&q=%3Cscript%3E&ttl=soon", Caller.ADMIN, "application/json",
                valid.toString(), "bad query"));
        attempts.add(new Attempt(ids + "?q=a%00b&to=%27%20OR%201%3D1&status=%00", Caller.ADMIN, "application/json",
                valid.toString(), "NUL in the query"));
        if (WRITES.contains(method)) {
            for (Caller caller : List.of(Caller.USER, Caller.ADMIN)) {
                attempts.add(new Attempt(ids, caller, "application/json", null, "no body"));
                attempts.add(new Attempt(ids, caller, "application/json", "{}", "empty object"));
                attempts.add(new Attempt(ids, caller, "application/json", "{\"unterminated\": ", "malformed JSON"));
                attempts.add(new Attempt(ids, caller, "application/json", "[1, 2, 3]", "an array"));
                attempts.add(new Attempt(ids, caller, "text/plain", "just text", "wrong content type"));
                attempts.add(new Attempt(ids, caller, "application/xml", "<a>1</a>", "xml"));
                attempts.add(new Attempt(ids, caller, "application/json", retyped(valid, JSON.getNodeFactory().numberNode(12345)).toString(), "numbers everywhere"));
                attempts.add(new Attempt(ids, caller, "application/json", retyped(valid, JSON.createArrayNode().add(true)).toString(), "arrays everywhere"));
                attempts.add(new Attempt(ids, caller, "application/json", retyped(valid, JSON.getNodeFactory().textNode("x".repeat(100_000))).toString(), "oversized strings"));
                for (String nasty : NASTY) {
                    attempts.add(new Attempt(ids, caller, "application/json", retyped(valid, JSON.getNodeFactory().textNode(nasty)).toString(),
                            "strings " + nasty.substring(0, Math.min(8, nasty.length()))));
                }
            }
        }
        return attempts;
    }

    /** A body with every property the operation's schema names, filled with a plausible value of its type. */
    private static ObjectNode example(JsonNode operation) {
        ObjectNode body = JSON.createObjectNode();
        JsonNode schema = resolve(operation.path("requestBody").path("content").path("application/json").path("schema"));
        for (Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields(); properties.hasNext();) {
            Map.Entry<String, JsonNode> property = properties.next();
            JsonNode type = resolve(property.getValue());
            switch (type.path("type").asText("string")) {
                case "integer", "number" -> body.put(property.getKey(), 1);
                case "boolean" -> body.put(property.getKey(), false);
                case "array" -> body.putArray(property.getKey()).add("item");
                case "object" -> body.putObject(property.getKey()).put("k", "v");
                default -> body.put(property.getKey(), "format".equals(type.path("format").asText()) ? "x" : "value");
            }
        }
        return body;
    }

    private static ObjectNode retyped(ObjectNode body, JsonNode value) {
        ObjectNode changed = JSON.createObjectNode();
        body.fieldNames().forEachRemaining(name -> changed.set(name, value));
        if (!changed.fieldNames().hasNext()) {
            changed.set("unexpected", value);
        }
        return changed;
    }

    private static JsonNode resolve(JsonNode schema) {
        JsonNode current = schema;
        for (int i = 0; i < 5 && current.has("$ref"); i++) {
            String[] ref = current.get("$ref").asText().replace("#/", "").split("/");
            current = document;
            for (String part : ref) {
                current = current.path(part);
            }
        }
        return current;
    }

    private static Response send(String method, Attempt attempt, String token) {
        RequestSpecification request = given().urlEncodingEnabled(false).header("X-Request-Id", "sweep-" + UUID.randomUUID());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (attempt.body != null && WRITES.contains(method)) {
            request.contentType(attempt.contentType).body(attempt.body);
        } else if (WRITES.contains(method)) {
            request.contentType(attempt.contentType);
        }
        return request.request(method.toUpperCase(), attempt.path).thenReturn();
    }
}
