package io.meridian.gateway.graphql;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.GraphQLException;
import org.eclipse.microprofile.graphql.Query;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.gateway.admin.ServiceCalls;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;

/**
 * {@code POST /graphql}: a GraphQL facade over the same REST operations, resolved by calling the services with the
 * caller's own token (so each service applies its own rules). {@code me} today; collections, search, ask, agents and
 * runs join as their services land.
 */
@GraphQLApi
public class PlatformGraph {

    @Description("A Meridian account, as GET /api/auth/me answers it")
    public record User(String id, String email, String displayName, List<String> roles, boolean emailVerified,
            Instant createdAt) {
    }

    private final ServiceCalls services;
    private final CurrentVertxRequest request;
    private final ObjectMapper mapper;

    PlatformGraph(ServiceCalls services, CurrentVertxRequest request, ObjectMapper mapper) {
        this.services = services;
        this.request = request;
        this.mapper = mapper;
    }

    @Query("me")
    @Description("The signed-in user")
    @RolesAllowed({ "user", "admin" })
    public Uni<User> me() {
        String authorization = request.getCurrent().request().getHeader(HttpHeaders.AUTHORIZATION);
        return services.get("auth", "/api/auth/me", authorization).onItem().transformToUni(answer -> {
            if (!answer.ok()) {
                return Uni.createFrom().failure(new GraphQLException("auth-service answered "
                        + (answer.error() != null ? answer.error() : String.valueOf(answer.status()))));
            }
            try {
                return Uni.createFrom().item(mapper.readValue(answer.body().getBytes(), User.class));
            } catch (IOException e) {
                return Uni.createFrom().failure(new GraphQLException("auth-service's answer could not be read: "
                        + e.getMessage()));
            }
        });
    }
}
