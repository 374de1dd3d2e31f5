package io.meridian.gateway.admin;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.meridian.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * The gateway's own calls to the services, on two connection pools of their own so that neither can starve the other
 * (nor the proxied traffic): health, OpenAPI and admin fan-outs ({@link #getAll}) on one, GraphQL's calls for a
 * caller ({@link #get}, {@link #post}) on the other. Both pools bound their wait queue and the time a call may wait
 * for a connection; a call that cannot have one in time fails like an unreachable service (ADR 0011).
 */
@ApplicationScoped
public class ServiceCalls {

    /** A service's answer: its status and body, or why there is none, and how long it took. */
    public record Answer(int status, Buffer body, String error, long latencyMs) {

        public boolean ok() {
            return status == 200;
        }
    }

    private final GatewayConfig config;
    private final HttpClient admin;
    private final HttpClient graph;
    /** For a GET sent again: a connection of its own, never a pooled one that may be just as stale. */
    private final HttpClient fresh;

    ServiceCalls(GatewayConfig config, Vertx vertx) {
        this.config = config;
        this.admin = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.healthTimeout().toMillis()).setMaxPoolSize(4).setMaxWaitQueueSize(64)
                .setName("gateway-admin"));
        this.graph = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.healthTimeout().toMillis()).setMaxPoolSize(config.graphqlMaxConnections())
                .setMaxWaitQueueSize(Math.max(64, config.graphqlMaxConnections() * 4)).setName("gateway-graphql"));
        this.fresh = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.healthTimeout().toMillis()).setKeepAlive(false).setMaxPoolSize(8)
                .setMaxWaitQueueSize(64).setName("gateway-calls-retry"));
    }

    /** GET {@code path} of every service, passing {@code authorization} on when given; answers by service name. */
    public Uni<Map<String, Answer>> getAll(String path, String authorization) {
        return getAll(route -> path, authorization);
    }

    /** GET each service's own path (its health path, say); answers by service name. */
    public Uni<Map<String, Answer>> getAll(Function<GatewayConfig.Route, String> pathOf, String authorization) {
        return all(HttpMethod.GET, pathOf, authorization);
    }

    /** POST to {@code path} of every service, without a body; answers by service name. */
    public Uni<Map<String, Answer>> postAll(String path, String authorization) {
        return all(HttpMethod.POST, route -> path, authorization);
    }

    private Uni<Map<String, Answer>> all(HttpMethod method, Function<GatewayConfig.Route, String> pathOf,
            String authorization) {
        List<Uni<Map.Entry<String, Answer>>> calls = config.routes().entrySet().stream()
                .map(route -> call(admin, route.getValue(), method, pathOf.apply(route.getValue()), null, authorization)
                        .map(answer -> Map.entry(route.getKey(), answer)))
                .toList();
        return Uni.join().all(calls).andFailFast().map(entries -> {
            Map<String, Answer> answers = new TreeMap<>();
            entries.forEach(entry -> answers.put(entry.getKey(), entry.getValue()));
            return answers;
        });
    }

    /** GET {@code path} of one service ({@code auth}, {@code rag}, ...). */
    public Uni<Answer> get(String service, String path, String authorization) {
        return call(service, HttpMethod.GET, path, null, authorization);
    }

    /** POST a JSON {@code body} to {@code path} of one service. */
    public Uni<Answer> post(String service, String path, Buffer body, String authorization) {
        return call(service, HttpMethod.POST, path, body, authorization);
    }

    private Uni<Answer> call(String service, HttpMethod method, String path, Buffer body, String authorization) {
        GatewayConfig.Route route = config.routes().get(service);
        if (route == null) {
            return Uni.createFrom().item(new Answer(0, null, "no route " + service, 0));
        }
        return call(graph, route, method, path, body, authorization);
    }

    /** Asks the route's instances in turn until one answers (a refused connection moves to the next). */
    private Uni<Answer> call(HttpClient client, GatewayConfig.Route route, HttpMethod method, String path, Buffer body,
            String authorization) {
        Uni<Answer> answer = call(client, route.url().get(0), method, path, body, authorization);
        for (URI instance : route.url().subList(1, route.url().size())) {
            answer = answer.flatMap(previous -> previous.status() == 0
                    ? call(client, instance, method, path, body, authorization)
                    : Uni.createFrom().item(previous));
        }
        if (method == HttpMethod.GET) {
            // A kept-alive connection the service had just closed under the request: asked once more, on a new one.
            answer = answer.flatMap(previous -> previous.status() == 0 && previous.error() != null
                    && previous.error().contains("Closed")
                            ? call(fresh, route.url().get(0), method, path, body, authorization)
                            : Uni.createFrom().item(previous));
        }
        return answer;
    }

    private Uni<Answer> call(HttpClient client, URI instance, HttpMethod method, String path, Buffer body,
            String authorization) {
        long started = System.nanoTime();
        // health and GraphQL reads are quick or not at all; writes and admins' questions (a re-drive, the dead-letter
        // topics' offsets read from Kafka) may take their time
        long limit = method == HttpMethod.GET && !path.startsWith("/admin/") ? config.healthTimeout().toMillis()
                : config.callTimeout().toMillis();
        RequestOptions options = new RequestOptions().setMethod(method)
                .setAbsoluteURI(instance.resolve(path).toString())
                // the wait for a pooled connection, the answer's start, and any silence in its body are all bounded
                .setConnectTimeout(config.healthTimeout().toMillis())
                .setTimeout(limit)
                .setIdleTimeout(limit);
        if (authorization != null) {
            options.putHeader(HttpHeaders.AUTHORIZATION, authorization);
        }
        if (body != null) {
            options.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        }
        var future = client.request(options).compose(request -> body == null ? request.send() : request.send(body))
                .compose(response -> response.body().map(answerBody -> new Answer(response.statusCode(), answerBody,
                        null, millisSince(started))));
        return Uni.createFrom().completionStage(future.toCompletionStage())
                .onFailure().recoverWithItem(failure -> new Answer(0, null,
                        failure.getClass().getSimpleName() + ": " + failure.getMessage(), millisSince(started)));
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
