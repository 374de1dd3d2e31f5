package io.meridian.gateway.graphql;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.meridian.gateway.config.GatewayConfig;
import io.meridian.gateway.edge.ClientAddresses;
import io.meridian.gateway.edge.EdgeProblems;
import io.meridian.gateway.edge.Exchange;
import io.meridian.gateway.edge.TokenVerifier;
import io.meridian.gateway.ratelimit.RateLimiter;
import graphql.language.Definition;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The edge in front of {@code /graphql} (ADR 0011): the same checks as every proxied route, before any resolver runs.
 * The bearer token is verified (no token, or a bad one, is 401 problem+json, as on REST); the query is parsed and
 * measured: its depth, aliases, fields and the upstream calls it would make (each top-level field calls one service);
 * past the budget it is refused with 400 problem+json naming the limit; then the caller's rate-limit bucket is charged
 * one token per upstream call, with the deny-list checked in the same Redis call. One request aliasing fifty
 * {@code ask}s is therefore refused, and ten of them cost what ten REST calls cost.
 */
@ApplicationScoped
public class GraphQlGate {

    /** Right after the request id and access log, before SmallRye GraphQL's own handler. */
    private static final int ORDER = io.meridian.platform.requestid.RequestIdFilter.ORDER + 3;
    private static final Set<String> META = Set.of("__typename", "__schema", "__type");

    private final TokenVerifier tokens;
    private final RateLimiter rateLimiter;
    private final EdgeProblems problems;
    private final ClientAddresses addresses;
    private final GatewayConfig.GraphQl budget;

    GraphQlGate(TokenVerifier tokens, RateLimiter rateLimiter, EdgeProblems problems, ClientAddresses addresses,
            GatewayConfig config) {
        this.tokens = tokens;
        this.rateLimiter = rateLimiter;
        this.problems = problems;
        this.addresses = addresses;
        this.budget = config.graphql();
    }

    void register(@Observes Router router) {
        router.route("/graphql").order(ORDER).handler(BodyHandler.create().setBodyLimit(budget.maxBodyBytes()));
        router.route("/graphql").order(ORDER + 1).handler(this::check);
    }

    /** What a query asks for. */
    record Cost(int depth, int aliases, int fields, int calls) {
    }

    private void check(RoutingContext ctx) {
        Exchange exchange = Exchange.of(ctx);
        exchange.clientAddress(addresses.of(ctx.request()));
        if (ctx.request().method() == HttpMethod.OPTIONS) {
            ctx.next();
            return;
        }
        String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            unauthorized(ctx, "GraphQL needs a bearer token.");
            return;
        }
        Cost cost;
        try {
            cost = measure(query(ctx));
        } catch (IllegalArgumentException e) {
            problems.send(ctx, 400, e.getMessage());
            return;
        }
        String refused = overBudget(cost);
        if (refused != null) {
            problems.send(ctx, 400, refused);
            return;
        }
        Context context = Vertx.currentContext();
        tokens.verify(authorization.substring(7).trim()).onComplete(verified -> context.runOnContext(ignored -> {
            if (verified.failed()) {
                unauthorized(ctx, verified.cause() instanceof ParseException ? "The bearer token is not valid."
                        : "The bearer token could not be verified.");
                return;
            }
            TokenVerifier.Caller caller = verified.result();
            exchange.user(caller.subject());
            rateLimiter.take("/graphql", "sub:" + caller.subject(), caller.revocationId(), Math.max(1, cost.calls()))
                    .onComplete(result -> context.runOnContext(ignoredToo -> {
                        if (!problems.refused(ctx, result.result(),
                                "Too many requests: this query makes " + cost.calls() + " service calls")) {
                            ctx.next();
                        }
                    }));
        }));
    }

    private void unauthorized(RoutingContext ctx, String detail) {
        problems.unauthorized(ctx, detail);
    }

    private String overBudget(Cost cost) {
        if (cost.depth() > budget.maxDepth()) {
            return "The query is " + cost.depth() + " levels deep; at most " + budget.maxDepth() + " are allowed.";
        }
        if (cost.aliases() > budget.maxAliases()) {
            return "The query has " + cost.aliases() + " aliases; at most " + budget.maxAliases() + " are allowed.";
        }
        if (cost.fields() > budget.maxFields()) {
            return "The query selects " + cost.fields() + " fields; at most " + budget.maxFields() + " are allowed.";
        }
        if (cost.calls() > budget.maxCalls()) {
            return "The query makes " + cost.calls() + " service calls (one per top-level field); at most "
                    + budget.maxCalls() + " are allowed in one request.";
        }
        return null;
    }

    /** The query text of a GET (?query=) or a POST (JSON body, or application/graphql). */
    private static String query(RoutingContext ctx) {
        if (ctx.request().method() == HttpMethod.GET) {
            String query = ctx.request().getParam("query");
            if (query == null) {
                throw new IllegalArgumentException("A GraphQL GET needs a query parameter.");
            }
            return query;
        }
        String body = ctx.body() == null ? null : ctx.body().asString();
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("The request has no GraphQL query.");
        }
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null && type.startsWith("application/graphql")) {
            return body;
        }
        try {
            String query = new JsonObject(body).getString("query");
            if (query == null) {
                throw new IllegalArgumentException("The request has no GraphQL query.");
            }
            return query;
        } catch (ClassCastException | io.vertx.core.json.DecodeException e) {
            throw new IllegalArgumentException("The GraphQL request is not a JSON object with a query.");
        }
    }

    /** Measures every operation of the document (fragments expanded, each spread of one counted once per path). */
    static Cost measure(String query) {
        Document document;
        try {
            document = Parser.parse(query);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("The GraphQL query is not valid: " + e.getMessage());
        } catch (RuntimeException e) { // the parser's own limits on tokens and nesting
            throw new IllegalArgumentException("The GraphQL query is too large to read.");
        }
        Map<String, FragmentDefinition> fragments = new HashMap<>();
        for (Definition<?> definition : document.getDefinitions()) {
            if (definition instanceof FragmentDefinition fragment) {
                fragments.put(fragment.getName(), fragment);
            }
        }
        int[] totals = new int[4]; // depth, aliases, fields, calls
        for (Definition<?> definition : document.getDefinitions()) {
            if (definition instanceof OperationDefinition operation) {
                walk(operation.getSelectionSet(), 1, fragments, new HashSet<>(), totals);
            }
        }
        return new Cost(totals[0], totals[1], totals[2], totals[3]);
    }

    private static void walk(SelectionSet selections, int depth, Map<String, FragmentDefinition> fragments,
            Set<String> visiting, int[] totals) {
        if (selections == null) {
            return;
        }
        if (totals[2] > 10_000) {
            return; // already far past any budget: stop counting
        }
        for (Selection<?> selection : selections.getSelections()) {
            if (selection instanceof Field field) {
                totals[0] = Math.max(totals[0], depth);
                totals[2]++;
                if (field.getAlias() != null) {
                    totals[1]++;
                }
                if (depth == 1 && !META.contains(field.getName())) {
                    totals[3]++;
                }
                walk(field.getSelectionSet(), depth + 1, fragments, visiting, totals);
            } else if (selection instanceof InlineFragment inline) {
                walk(inline.getSelectionSet(), depth, fragments, visiting, totals);
            } else if (selection instanceof FragmentSpread spread) {
                FragmentDefinition fragment = fragments.get(spread.getName());
                if (fragment != null && visiting.add(spread.getName())) {
                    walk(fragment.getSelectionSet(), depth, fragments, visiting, totals);
                    visiting.remove(spread.getName());
                }
            }
        }
    }
}
