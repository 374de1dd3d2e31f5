package io.meridian.gateway.routing;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.gateway.config.GatewayConfig;
import io.meridian.platform.problem.Problem;
import io.meridian.platform.problem.Problems;
import io.meridian.platform.requestid.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Forwards each configured prefix to its service with Vert.x's reverse proxy, which streams request and response
 * bodies (uploads, server-sent events) instead of buffering them, drops hop-by-hop headers, and lets us add the
 * {@code X-Forwarded-*} headers and the request id.
 */
@ApplicationScoped
public class ProxyRoutes {

    private static final Logger LOG = Logger.getLogger(ProxyRoutes.class);
    /** After the request id and body-size checks, before the gateway's own REST endpoints. */
    private static final int ORDER = 100;

    private final GatewayConfig config;
    private final ObjectMapper mapper;

    ProxyRoutes(GatewayConfig config, ObjectMapper mapper) {
        this.config = config;
        this.mapper = mapper;
    }

    void register(@Observes Router router, Vertx vertx) {
        for (Map.Entry<String, GatewayConfig.Route> entry : config.routes().entrySet()) {
            GatewayConfig.Route route = entry.getValue();
            HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                    .setConnectTimeout((int) route.connectTimeout().toMillis())
                    .setMaxPoolSize(200)
                    .setKeepAlive(true)
                    .setName("gateway-" + entry.getKey()));
            int port = route.url().getPort() > 0 ? route.url().getPort() : 80;
            HttpProxy proxy = HttpProxy.reverseProxy(client).origin(port, route.url().getHost());
            proxy.addInterceptor(new UpstreamInterceptor(entry.getKey()));
            for (String prefix : route.prefixes()) {
                router.route(prefix + "/*").order(ORDER).handler(ctx -> forward(ctx, proxy));
                router.route(prefix).order(ORDER).handler(ctx -> forward(ctx, proxy));
            }
            LOG.infof("Route %s -> %s (%s)", entry.getKey(), route.url(), String.join(", ", route.prefixes()));
        }
    }

    private static void forward(RoutingContext ctx, HttpProxy proxy) {
        HttpServerRequest request = ctx.request();
        var headers = request.headers();
        headers.set(RequestIds.HEADER, RequestIds.current());
        // The gateway is the edge: what a client wrote in X-Forwarded-For is replaced, never trusted, since services
        // key brute-force protection on it. Behind an ingress, the gateway's own trusted-proxy settings resolve
        // remoteAddress() to the real client first.
        String client = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        if (client == null) {
            headers.remove("X-Forwarded-For");
        } else {
            headers.set("X-Forwarded-For", client);
        }
        headers.set("X-Forwarded-Proto", request.scheme() == null ? "http" : request.scheme());
        if (request.authority() != null) {
            headers.set("X-Forwarded-Host", request.authority().toString());
        }
        proxy.handle(request);
    }

    /**
     * Answers 503 problem+json when the service cannot be reached, and keeps the gateway's own request id header
     * single on the way back.
     */
    private final class UpstreamInterceptor implements ProxyInterceptor {

        private final String service;

        UpstreamInterceptor(String service) {
            this.service = service;
        }

        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
            return context.sendRequest().recover(failure -> {
                LOG.warnf("%s is unreachable: %s", service, failure.getMessage());
                Problem problem = Problems.of(503, "unavailable", "Service unavailable",
                        "The " + service + " service is not reachable right now; try again shortly.",
                        context.request().getURI(), List.of());
                ProxyResponse response = context.request().response().setStatusCode(503);
                response.headers().set(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).set("Retry-After", "5");
                try {
                    response.setBody(Body.body(Buffer.buffer(mapper.writeValueAsBytes(problem))));
                } catch (JsonProcessingException e) {
                    return Future.failedFuture(e);
                }
                return Future.succeededFuture(response);
            });
        }

        @Override
        public Future<Void> handleProxyResponse(ProxyContext context) {
            ProxyResponse response = context.response();
            response.headers().remove(RequestIds.HEADER);
            return context.sendResponse();
        }
    }
}
