package io.meridian.rag.client;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.Conflicts;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch._types.mapping.DynamicMapping;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.DeleteByQueryResponse;
import org.opensearch.client.opensearch.core.MsearchResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.opensearch.client.opensearch.core.msearch.MultiSearchResponseItem;
import org.opensearch.client.opensearch.core.msearch.RequestItem;
import org.opensearch.client.opensearch.core.search.Hit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.meridian.rag.config.RagConfig;

/**
 * The chunks' index in OpenSearch: one document per chunk (its id is the chunk's id, so writing a chunk twice leaves
 * one copy), with the passage (english analyzer, BM25), its embedding (HNSW on the k-NN plugin's Lucene engine,
 * cosine) and whose it is. Searches go to an alias; the indexes behind it are named {@code <alias>-<build>} and
 * record the embedding model and its dimension. Chunks are routed by owner, and every query filters by owner and
 * collections inside the engine (filtered k-NN, not filtering afterwards). See ADR 0012.
 */
@ApplicationScoped
public class ChunkIndex {

    /** One chunk as the engine holds it. */
    public record Entry(long chunkId, UUID ownerId, UUID collectionId, UUID documentId, String externalId, String title,
            String text, float[] embedding) {
    }

    /** A chunk found, with the engine's score: BM25, or cosine similarity for a vector query. */
    public record Found(long chunkId, double score) {
    }

    /** What the engine answered for each half of a query; a half not asked is empty. */
    public record Answers(List<Found> keyword, List<Found> vector) {
    }

    /** The engine did not answer, or answered with an error: the caller degrades (503) or retries later. */
    public static final class EngineException extends RuntimeException {

        public EngineException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Requests per removal at most (with the default slice, 100 million chunks). */
    private static final int MAX_REMOVAL_SLICES = 10_000;

    private final OpenSearchClient client;
    private final RagConfig.Engine config;
    /**
     * Whether a set of collections holds most of its shard (see {@link #search}): a hint of where to place the filter,
     * never a question of what is found, so each replica keeps its own for a minute, bounded.
     */
    private final Cache<String, Boolean> dense = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1)).build();

    ChunkIndex(OpenSearchClient client, RagConfig config) {
        this.client = client;
        this.config = config.engine();
    }

    /** The alias searches use. */
    public String alias() {
        return config.index();
    }

    /** The index the alias points at, if any. */
    public Optional<String> aliased() {
        return call("reading the alias", () -> {
            if (!client.indices().existsAlias(a -> a.name(alias())).value()) {
                return Optional.empty();
            }
            return client.indices().getAlias(a -> a.name(alias())).result().keySet().stream().findFirst();
        });
    }

    /** Creates an index for chunks of {@code dimensions}-long vectors from {@code model}, ready for a bulk load. */
    public void create(String name, String model, int dimensions) {
        call("creating index " + name, () -> client.indices().create(c -> c.index(name)
                .settings(s -> s.numberOfShards(String.valueOf(config.shards())).numberOfReplicas("0").knn(true)
                        .refreshInterval(t -> t.time("-1"))
                        .routingPartitionSize(config.routingPartitionSize() > 1 ? config.routingPartitionSize() : null))
                .mappings(m -> m.dynamic(DynamicMapping.Strict)
                        .meta("embedding_model", JsonData.of(model)).meta("embedding_dimensions", JsonData.of(dimensions))
                        .routing(r -> r.required(true))
                        .source(s -> s.includes("owner_id", "collection_id", "document_id"))
                        .properties("owner_id", p -> p.keyword(k -> k))
                        .properties("collection_id", p -> p.keyword(k -> k))
                        .properties("document_id", p -> p.keyword(k -> k))
                        .properties("external_id", p -> p.keyword(k -> k.ignoreAbove(500)))
                        .properties("title", p -> p.text(t -> t.analyzer("english")))
                        .properties("text", p -> p.text(t -> t.analyzer("english")))
                        .properties("embedding", p -> p.knnVector(k -> k.dimension(dimensions)
                                .method(v -> v.name("hnsw").engine("lucene").spaceType("cosinesimil")
                                        .parameters("m", JsonData.of(16))
                                        .parameters("ef_construction", JsonData.of(128))))))));
    }

    /** After a bulk load: searchable within a second of each write, with the configured replicas. */
    public void open(String name) {
        call("opening index " + name, () -> client.indices().putSettings(s -> s.index(name)
                .settings(i -> i.refreshInterval(t -> t.time("1s"))
                        .numberOfReplicas(String.valueOf(config.replicas())))));
        call("refreshing index " + name, () -> client.indices().refresh(r -> r.index(name)));
    }

    /** Points the alias at {@code to} (and away from {@code from}, if given) in one step. */
    public void point(String from, String to) {
        call("pointing " + alias() + " at " + to, () -> client.indices().updateAliases(u -> {
            if (from != null) {
                u.actions(a -> a.remove(r -> r.index(from).alias(alias())));
            }
            return u.actions(a -> a.add(r -> r.index(to).alias(alias())));
        }));
    }

    public boolean exists(String name) {
        return call("looking for index " + name, () -> client.indices().exists(e -> e.index(name)).value());
    }

    public void drop(String name) {
        call("deleting index " + name, () -> {
            if (client.indices().exists(e -> e.index(name)).value()) {
                client.indices().delete(d -> d.index(name));
            }
            return null;
        });
    }

    /** The embedding model an index was built for, as recorded in its mapping. */
    public Optional<String> model(String name) {
        return call("reading index " + name, () -> {
            var mapping = client.indices().getMapping(m -> m.index(name)).result().get(name);
            if (mapping == null || mapping.mappings().meta().get("embedding_model") == null) {
                return Optional.empty();
            }
            return Optional.of(mapping.mappings().meta().get("embedding_model").to(String.class));
        });
    }

    /**
     * Writes the chunks to every index in {@code targets}; with {@code visible}, returns once a search can find them.
     * Every chunk is acknowledged or this throws.
     */
    public void write(Collection<String> targets, List<Entry> entries, boolean visible) {
        if (entries.isEmpty() || targets.isEmpty()) {
            return;
        }
        for (String target : targets) {
            List<BulkOperation> operations = new ArrayList<>(entries.size());
            for (Entry entry : entries) {
                Map<String, Object> document = new LinkedHashMap<>();
                document.put("owner_id", entry.ownerId().toString());
                document.put("collection_id", entry.collectionId().toString());
                document.put("document_id", entry.documentId().toString());
                if (entry.externalId() != null) {
                    document.put("external_id", entry.externalId());
                }
                document.put("title", entry.title());
                document.put("text", entry.text());
                document.put("embedding", entry.embedding());
                operations.add(BulkOperation.of(o -> o.index(i -> i.index(target).id(Long.toString(entry.chunkId()))
                        .routing(entry.ownerId().toString()).document(document))));
            }
            BulkResponse response = call("writing " + entries.size() + " chunks to " + target,
                    () -> client.bulk(b -> b.operations(operations).refresh(visible ? Refresh.WaitFor : Refresh.False)));
            if (response.errors()) {
                String reason = response.items().stream().map(BulkResponseItem::error).filter(e -> e != null)
                        .map(e -> e.type() + ": " + e.reason()).findFirst().orElse("unknown");
                throw new EngineException("the engine refused chunks written to " + target + ": " + reason, null);
            }
        }
    }

    /** Removes from every index in {@code targets} the chunks whose {@code field} is {@code value}. */
    public void remove(Collection<String> targets, UUID ownerId, String field, UUID value) {
        if (targets.isEmpty()) {
            return;
        }
        String what = "removing chunks with " + field + " " + value;
        // a slice at a time, each refreshed before the next looks: one request for a large user's or collection's
        // chunks outlasts the client's timeout (100,000 chunks took more than 10 s) and goes on unobserved
        long sliceSize = config.removalSlice();
        for (int slice = 0; slice < MAX_REMOVAL_SLICES; slice++) {
            DeleteByQueryResponse removed = call(what, () -> client.deleteByQuery(d -> d.index(List.copyOf(targets))
                    .routing(ownerId.toString()).conflicts(Conflicts.Proceed).refresh(true).maxDocs(sliceSize)
                    .query(q -> q.term(t -> t.field(field).value(FieldValue.of(value.toString()))))));
            if (removed.failures() != null && !removed.failures().isEmpty()) {
                throw new EngineException(what + ": " + removed.failures().get(0).cause().reason(), null);
            }
            if (removed.deleted() == null || removed.deleted() < sliceSize) {
                return;
            }
        }
        throw new EngineException(what + ": more than " + MAX_REMOVAL_SLICES * sliceSize + " chunks", null);
    }

    /**
     * Asks both halves of a query in one round trip: the best {@code candidates} chunks by BM25 for {@code text}
     * (when not null) and the nearest {@code candidates} to {@code vector} (when not null), among the owner's chunks in
     * the given collections.
     */
    public Answers search(UUID ownerId, Collection<UUID> collectionIds, String text, float[] vector, int candidates) {
        return search(ownerId, mine(ownerId, collectionIds), text, vector, candidates,
                text != null && filterWhileCollecting(ownerId, collectionIds));
    }

    /**
     * True when the chunks of these collections are at least {@code post-filter-share} of their shard, so that a
     * keyword search is faster filtering each match as it is collected; known for a minute.
     */
    public boolean filterWhileCollecting(UUID ownerId, Collection<UUID> collectionIds) {
        return dense.get(denseKey(ownerId, collectionIds), k -> dense(ownerId, mine(ownerId, collectionIds)));
    }

    /**
     * The same with the keyword half's filter placed by the caller: as a clause of the query ({@code postFilter}
     * false) or applied to each document the query matches as it is collected ({@code postFilter} true). Both find
     * the same chunks; the first is fast when the collections are a small part of their shard (the filter leads), the
     * second when they are most of it (Lucene 9 scores a bare disjunction with MaxScore, and loses that in a
     * conjunction with a filter: BM25 at a million chunks took 12 ms against 7). The vector half always filters inside
     * the k-NN search. See ADR 0015.
     */
    public Answers search(UUID ownerId, Query mine, String text, float[] vector, int candidates, boolean postFilter) {
        List<RequestItem> searches = new ArrayList<>(2);
        if (text != null) {
            Query match = Query.of(q -> q.match(t -> t.field("text").query(FieldValue.of(text))));
            searches.add(RequestItem.of(r -> r.header(h -> h.index(alias()).routing(ownerId.toString()))
                    .body(b -> {
                        b.size(candidates).source(s -> s.fetch(false)).trackTotalHits(t -> t.enabled(false));
                        return postFilter ? b.query(match).postFilter(mine)
                                : b.query(q -> q.bool(o -> o.must(match).filter(mine)));
                    })));
        }
        if (vector != null) {
            searches.add(RequestItem.of(r -> r.header(h -> h.index(alias()).routing(ownerId.toString()))
                    .body(b -> b.size(candidates).source(s -> s.fetch(false)).trackTotalHits(t -> t.enabled(false))
                            .query(q -> q.knn(k -> k.field("embedding").vector(vector).k(candidates).filter(mine))))));
        }
        if (searches.isEmpty()) {
            return new Answers(List.of(), List.of());
        }
        MsearchResponse<Void> response = call("searching", () -> client.msearch(m -> m.searches(searches), Void.class));
        List<List<Found>> lists = new ArrayList<>(2);
        for (MultiSearchResponseItem<Void> item : response.responses()) {
            if (item.isFailure()) {
                throw new EngineException("the engine failed a search: " + item.failure().error().reason(), null);
            }
            List<Found> found = new ArrayList<>();
            for (Hit<Void> hit : item.result().hits().hits()) {
                found.add(new Found(Long.parseLong(hit.id()), hit.score() == null ? 0 : hit.score()));
            }
            lists.add(found);
        }
        List<Found> keyword = text != null ? lists.get(0) : List.of();
        // the Lucene engine's cosine score is (1 + cosine) / 2: the API shows the cosine
        List<Found> nearest = vector == null ? List.of() : lists.get(lists.size() - 1).stream()
                .map(f -> new Found(f.chunkId(), 2 * f.score() - 1)).toList();
        return new Answers(keyword, nearest);
    }

    /** The owner's chunks in the given collections. */
    public static Query mine(UUID ownerId, Collection<UUID> collectionIds) {
        List<FieldValue> collections = collectionIds.stream().map(id -> FieldValue.of(id.toString())).toList();
        return Query.of(q -> q.bool(b -> b
                .filter(f -> f.term(t -> t.field("owner_id").value(FieldValue.of(ownerId.toString()))))
                .filter(f -> f.terms(t -> t.field("collection_id").terms(v -> v.value(collections))))));
    }

    /**
     * The owner and a digest of the sorted collections: 32 bytes whatever the number of collections asked, so that a
     * user rotating through sets of a thousand collections cannot make the cache's 10,000 keys large.
     */
    private static String denseKey(UUID ownerId, Collection<UUID> collectionIds) {
        String sorted = String.join(",", new TreeSet<>(collectionIds.stream().map(UUID::toString).toList()));
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(sorted.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return ownerId + "/" + java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * True when the chunks {@code mine} selects are at least {@code post-filter-share} of their shard: two counts in
     * one round trip. An engine that does not answer leaves the filter in the query (the search will say why).
     */
    private boolean dense(UUID ownerId, Query mine) {
        try {
            List<RequestItem> counts = List.of(
                    RequestItem.of(r -> r.header(h -> h.index(alias()).routing(ownerId.toString()))
                            .body(b -> b.size(0).trackTotalHits(t -> t.enabled(true)).query(mine))),
                    RequestItem.of(r -> r.header(h -> h.index(alias()).routing(ownerId.toString()))
                            .body(b -> b.size(0).trackTotalHits(t -> t.enabled(true)).query(q -> q.matchAll(a -> a)))));
            MsearchResponse<Void> response = client.msearch(m -> m.searches(counts), Void.class);
            if (response.responses().stream().anyMatch(MultiSearchResponseItem::isFailure)) {
                return false;
            }
            long selected = response.responses().get(0).result().hits().total().value();
            long shard = response.responses().get(1).result().hits().total().value();
            return shard > 0 && selected >= config.postFilterShare() * shard;
        } catch (IOException | OpenSearchException e) {
            return false;
        }
    }

    /** True when the engine answers at all. */
    public boolean reachable() {
        try {
            return client.ping().value();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private interface EngineCall<T> {
        T call() throws IOException;
    }

    private static <T> T call(String what, EngineCall<T> call) {
        try {
            return call.call();
        } catch (IOException | OpenSearchException e) {
            throw new EngineException(what + ": " + e.getMessage(), e);
        }
    }
}
