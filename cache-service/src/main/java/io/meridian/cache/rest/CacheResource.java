package io.meridian.cache.rest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;

import io.meridian.cache.config.CacheConfig;
import io.meridian.cache.service.CacheAccess;
import io.meridian.cache.service.CacheService;
import io.meridian.cache.service.CacheStore;
import io.meridian.cache.service.NamespacePolicies;
import io.meridian.cache.service.Namespaces;
import io.meridian.platform.problem.ProblemException;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/** Entries, namespaces, policies and statistics (API.md, cache part). */
@Path("/api/cache")
@Authenticated
public class CacheResource {

    private static final String OCTET_STREAM = MediaType.APPLICATION_OCTET_STREAM;

    /** Keys to read in one call. */
    public record BulkGetRequest(@NotNull @NotEmpty List<String> keys) {
    }

    /**
     * One entry to write: {@code value} is text (UTF-8), or base64 when {@code encoding} is {@code base64};
     * {@code contentType} defaults to text/plain or application/octet-stream; {@code ttlSeconds} to the policy's.
     */
    public record BulkEntry(@NotNull String key, @NotNull String value, String encoding, String contentType,
            Long ttlSeconds) {
    }

    public record BulkPutRequest(@NotNull @NotEmpty List<@Valid @NotNull BulkEntry> entries) {
    }

    public record BulkPutResult(int stored, long evicted) {
    }

    /** One key's answer in a bulk read; {@code value} as {@link BulkEntry} has it. */
    public record BulkValue(String key, boolean found, String contentType, String value, String encoding) {
    }

    public record BulkGetResult(List<BulkValue> entries) {
    }

    /** {@code maxBytes} and {@code maxTtlSeconds} absent: the defaults of the namespace's kind. */
    public record PolicyRequest(@NotNull @Min(1) Long defaultTtlSeconds, @NotNull @Min(0) @Max(10_000_000) Integer maxEntries,
            @Min(0) Long maxBytes, @Min(0) Long maxTtlSeconds) {
    }

    /**
     * A namespace's policy; {@code explicit} is false where the service's defaults apply; 0: no limit. {@code usage}:
     * its live entries and the bytes of their values, against {@code maxEntries} and {@code maxBytes}.
     */
    public record PolicyView(String namespace, long defaultTtlSeconds, int maxEntries, long maxBytes, long maxTtlSeconds,
            boolean explicit, Instant updatedAt, Usage usage) {

        static PolicyView of(NamespacePolicies.Effective policy, CacheStore.Counts counts) {
            return new PolicyView(policy.namespace(), policy.defaultTtlSeconds(), policy.maxEntries(),
                    policy.maxBytes(), policy.maxTtlSeconds(), policy.explicit(), policy.updatedAt(),
                    new Usage(counts.keys(), counts.bytes()));
        }
    }

    public record Usage(long keys, long bytes) {
    }

    private final CacheService cache;
    private final NamespacePolicies policies;
    private final CacheConfig config;
    private final JsonWebToken caller;

    CacheResource(CacheService cache, NamespacePolicies policies, CacheConfig config, JsonWebToken caller) {
        this.cache = cache;
        this.policies = policies;
        this.config = config;
        this.caller = caller;
    }

    @PUT
    @Path("/{namespace}/{key}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Store a value (any body; its content type is kept) for ?ttl= seconds or the namespace's TTL")
    public Uni<Response> put(@PathParam("namespace") String namespace, @PathParam("key") String key,
            @QueryParam("ttl") String ttl, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        Namespaces.validate(namespace);
        Namespaces.validateKey("key", key);
        CacheAccess.checkWrite(caller, namespace);
        long ttlSeconds = cache.ttlSeconds(namespace, seconds(ttl), "ttl");
        CacheStore.NewEntry entry = new CacheStore.NewEntry(key, body == null ? new byte[0] : body,
                contentType == null || contentType.isBlank() ? OCTET_STREAM : contentType,
                Duration.ofSeconds(ttlSeconds).toMillis());
        return cache.put(namespace, List.of(entry)).map(evicted -> Response.noContent().build());
    }

    @GET
    @Path("/{namespace}/{key}")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "Read a value, with the content type it was stored with")
    public Uni<Response> get(@PathParam("namespace") String namespace, @PathParam("key") String key) {
        Namespaces.validate(namespace);
        Namespaces.validateKey("key", key);
        CacheAccess.checkRead(caller, namespace);
        return cache.get(namespace, List.of(key)).map(entries -> {
            CacheStore.Entry entry = entries.get(0);
            if (entry == null) {
                throw ProblemException.notFound("No entry " + key + " in " + namespace + ".");
            }
            return Response.ok(entry.value()).type(entry.contentType()).build();
        });
    }

    @DELETE
    @Path("/{namespace}/{key}")
    @Operation(summary = "Delete an entry")
    public Uni<Response> delete(@PathParam("namespace") String namespace, @PathParam("key") String key) {
        Namespaces.validate(namespace);
        Namespaces.validateKey("key", key);
        CacheAccess.checkWrite(caller, namespace);
        return cache.delete(namespace, List.of(key)).map(deleted -> Response.noContent().build());
    }

    @DELETE
    @Path("/{namespace}")
    @Operation(summary = "Flush a namespace: every entry, in batches that never block Redis (admins: any namespace)")
    public Uni<Response> flush(@PathParam("namespace") String namespace) {
        Namespaces.validate(namespace);
        CacheAccess.checkFlush(caller, namespace);
        return cache.flush(namespace).map(deleted -> Response.noContent().build());
    }

    @POST
    @Path("/{namespace}/bulk-get")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Read many keys in one call")
    public Uni<BulkGetResult> bulkGet(@PathParam("namespace") String namespace, @Valid @NotNull BulkGetRequest request) {
        Namespaces.validate(namespace);
        checkBulkSize("keys", request.keys().size());
        for (int i = 0; i < request.keys().size(); i++) {
            Namespaces.validateKey("keys[" + i + "]", request.keys().get(i));
        }
        CacheAccess.checkRead(caller, namespace);
        return cache.get(namespace, request.keys()).map(entries -> {
            List<BulkValue> values = new ArrayList<>(entries.size());
            for (int i = 0; i < entries.size(); i++) {
                CacheStore.Entry entry = entries.get(i);
                String key = request.keys().get(i);
                if (entry == null) {
                    values.add(new BulkValue(key, false, null, null, null));
                } else if (isText(entry.contentType())) {
                    values.add(new BulkValue(key, true, entry.contentType(),
                            new String(entry.value(), StandardCharsets.UTF_8), null));
                } else {
                    values.add(new BulkValue(key, true, entry.contentType(),
                            Base64.getEncoder().encodeToString(entry.value()), "base64"));
                }
            }
            return new BulkGetResult(values);
        });
    }

    @POST
    @Path("/{namespace}/bulk-put")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Write many entries in one call (one atomic Redis script)")
    public Uni<BulkPutResult> bulkPut(@PathParam("namespace") String namespace, @Valid @NotNull BulkPutRequest request) {
        Namespaces.validate(namespace);
        checkBulkSize("entries", request.entries().size());
        List<CacheStore.NewEntry> entries = new ArrayList<>(request.entries().size());
        for (int i = 0; i < request.entries().size(); i++) {
            BulkEntry entry = request.entries().get(i);
            String field = "entries[" + i + "]";
            Namespaces.validateKey(field + ".key", entry.key());
            byte[] value;
            if ("base64".equals(entry.encoding())) {
                try {
                    value = Base64.getDecoder().decode(entry.value());
                } catch (IllegalArgumentException e) {
                    throw ProblemException.invalidField(field + ".value", "is not valid base64");
                }
            } else if (entry.encoding() == null || "text".equals(entry.encoding())) {
                value = entry.value().getBytes(StandardCharsets.UTF_8);
            } else {
                throw ProblemException.invalidField(field + ".encoding", "must be text or base64");
            }
            String type = entry.contentType() != null && !entry.contentType().isBlank() ? entry.contentType()
                    : "base64".equals(entry.encoding()) ? OCTET_STREAM : MediaType.TEXT_PLAIN;
            long ttl = cache.ttlSeconds(namespace, entry.ttlSeconds(), field + ".ttlSeconds");
            entries.add(new CacheStore.NewEntry(entry.key(), value, type, Duration.ofSeconds(ttl).toMillis()));
        }
        CacheAccess.checkWrite(caller, namespace);
        return cache.put(namespace, entries).map(evicted -> new BulkPutResult(entries.size(), evicted));
    }

    @PUT
    @Path("/{namespace}")
    @RolesAllowed("admin")
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set a namespace's policy: default and longest TTL, entry and byte limits (0: none); a lower "
            + "limit applies at once")
    public PolicyView setPolicy(@PathParam("namespace") String namespace, @Valid @NotNull PolicyRequest request) {
        Namespaces.validate(namespace);
        long longest = request.maxTtlSeconds() != null && request.maxTtlSeconds() > 0 ? request.maxTtlSeconds()
                : config.maxTtl().toSeconds();
        if (longest > config.maxTtl().toSeconds()) {
            throw ProblemException.invalidField("maxTtlSeconds", "must be at most " + config.maxTtl().toSeconds());
        }
        if (request.defaultTtlSeconds() > longest) {
            throw ProblemException.invalidField("defaultTtlSeconds", "must be at most " + longest);
        }
        NamespacePolicies.Effective policy = policies.set(namespace, new NamespacePolicies.Requested(
                request.defaultTtlSeconds(), request.maxEntries(), request.maxBytes(), request.maxTtlSeconds()),
                caller.getSubject());
        cache.enforce(policy).await().atMost(Duration.ofMinutes(1));
        return PolicyView.of(policy, cache.usage(namespace).await().atMost(Duration.ofMinutes(1)));
    }

    @GET
    @Path("/{namespace}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A namespace's policy (its own or the defaults) and its usage: live entries and bytes")
    public Uni<PolicyView> policy(@PathParam("namespace") String namespace) {
        Namespaces.validate(namespace);
        if (!CacheAccess.isAdmin(caller)) {
            CacheAccess.checkRead(caller, namespace);
        }
        return cache.usage(namespace).map(usage -> PolicyView.of(policies.of(namespace), usage));
    }

    @GET
    @Path("/stats")
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Hits, misses, hit ratio, keys and bytes per shared namespace and for users' private namespaces "
            + "together (user:*); how many namespaces hold entries; Redis memory, clients and uptime")
    public Uni<CacheService.Stats> stats() {
        return cache.stats();
    }

    /** The ?ttl= parameter: absent, or whole seconds (JAX-RS would answer 404 for a Long it cannot parse). */
    private static Long seconds(String ttl) {
        if (ttl == null || ttl.isBlank()) {
            return null;
        }
        try {
            return Long.valueOf(ttl.trim());
        } catch (NumberFormatException e) {
            throw ProblemException.invalidField("ttl", "must be a whole number of seconds");
        }
    }

    private void checkBulkSize(String field, int size) {
        if (size > config.bulkMaxKeys()) {
            throw ProblemException.invalidField(field, "at most " + config.bulkMaxKeys() + " per call");
        }
    }

    private static boolean isText(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.contains("json") || type.contains("xml")
                || type.startsWith("application/x-www-form-urlencoded");
    }
}
