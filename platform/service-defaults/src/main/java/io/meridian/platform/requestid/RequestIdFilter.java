package io.meridian.platform.requestid;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

/**
 * Takes {@code X-Request-Id} from the request or generates one, answers with it and puts it in the logging MDC,
 * before anything else handles the request (so 404s, 413s and health checks carry it too).
 */
@ApplicationScoped
public class RequestIdFilter {

    /** Ahead of Quarkus' own body-size check (order -2), so that its answers carry the id too. */
    public static final int ORDER = -20;

    void register(@Observes Router router) {
        router.route().order(ORDER).handler(ctx -> {
            String id = RequestIds.acceptOrGenerate(ctx.request().getHeader(RequestIds.HEADER));
            RequestIds.set(id);
            ctx.response().putHeader(RequestIds.HEADER, id);
            ctx.next();
        });
    }
}
