import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Indexing rate and search latency of rag-service as a collection grows: seeds a collection with 100,000 and then
 * 1,000,000 chunks (sizes from the arguments after the dataset) made from the chunks of an already indexed collection
 * (the Cranfield evaluation's: their texts, and their embeddings with a little noise so that no two vectors are
 * equal), stored in the rag schema as ingestion stores them (PENDING, chunks with their vectors; embedding is
 * measured on its own: the model makes 20-25 chunks/s here), lets rag-service's own search indexer write them to
 * the engine and times it until every document is INDEXED, then runs the Cranfield queries through the API in each
 * mode and prints p50 and p95, and the latency of an extractive ask.
 * Run: ./meridian bench rag (after ./meridian eval rag, which leaves the source collection).
 */
public class RagSearchBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        String rag = args[0];
        String token = login(args[1], args[2], Files.readString(Path.of(args[3])).strip());
        String jdbc = args[4];
        Path dataset = Path.of(args[5]);
        String ragPid = System.getenv("RAG_PID");
        if (ragPid != null && !ragPid.isBlank()) {
            memoryWithEmptyCollections(rag, token, ragPid.strip(), Integer.getInteger("collections", 10_000));
        }
        List<String> queries = new ArrayList<>();
        for (String line : Files.readAllLines(dataset.resolve("queries.jsonl"))) {
            if (!line.isBlank()) {
                queries.add(JSON.readTree(line).get("text").asText());
            }
        }
        // a collection a run before seeded (its chunks count as seeded), or a new one
        String kept = System.getenv("MERIDIAN_BENCH_RAG_COLLECTION");
        String collection = kept != null && !kept.isBlank() ? kept.strip()
                : post(rag + "/api/rag/collections", token, Map.of("name", "search-benchmark")).get("id").asText();
        UUID owner;
        List<String> texts = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        try (Connection db = DriverManager.getConnection(jdbc)) {
            try (PreparedStatement q = db.prepareStatement("select owner_id from rag.collection where id = ?::uuid")) {
                q.setString(1, collection);
                try (ResultSet rows = q.executeQuery()) {
                    rows.next();
                    owner = rows.getObject(1, UUID.class);
                }
            }
            try (PreparedStatement q = db.prepareStatement("""
                    select c.text, c.embedding from rag.chunk c join rag.collection k on k.id = c.collection_id
                    where k.name like 'eval-cranfield%' and k.owner_id = ? order by c.id""")) {
                q.setObject(1, owner);
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        texts.add(rows.getString(1));
                        float[] v = new float[384];
                        ByteBuffer.wrap(rows.getBytes(2)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                        vectors.add(v);
                    }
                }
            }
            if (texts.isEmpty()) {
                throw new IllegalStateException("no indexed Cranfield collection of this user: run ./meridian eval rag first");
            }
            String model;
            try (PreparedStatement q = db.prepareStatement("""
                    select d.embedding_model from rag.document d join rag.collection k on k.id = d.collection_id
                    where k.name like 'eval-cranfield%' and k.owner_id = ? and d.embedding_model is not null
                    order by d.created_at desc limit 1""")) {
                q.setObject(1, owner);
                try (ResultSet rows = q.executeQuery()) {
                    rows.next();
                    model = rows.getString(1); // the vectors' model: the indexer re-embeds the chunks of any other
                }
            }
            System.out.printf("Source: %d chunks of the Cranfield evaluation collection%n%n", texts.size());
            System.out.println("| chunks | mode | p50 ms | p95 ms |");
            System.out.println("|---|---|---|---|");
            Random random = new Random(7);
            int seeded = 0;
            try (PreparedStatement q = db.prepareStatement("select count(*) from rag.chunk where collection_id = ?::uuid")) {
                q.setString(1, collection);
                try (ResultSet rows = q.executeQuery()) {
                    rows.next();
                    seeded = rows.getInt(1);
                }
            }
            int[] sizes = args.length > 6 ? java.util.Arrays.stream(args, 6, args.length).mapToInt(Integer::parseInt).toArray()
                    : new int[] { 100_000, 1_000_000 };
            for (int target : sizes) {
                long started = System.nanoTime();
                int added = seed(db, UUID.fromString(collection), owner, model, texts, vectors, target - seeded, seeded, random);
                double storing = (System.nanoTime() - started) / 1e9;
                awaitIndexed(db, UUID.fromString(collection));
                double total = (System.nanoTime() - started) / 1e9;
                token = login(args[1], args[2], Files.readString(Path.of(args[3])).strip()); // a load outlasts a token
                seeded += added;
                System.out.printf("| %,d | %,d chunks stored in %.0f s and all in the engine after %.0f s: %.0f chunks/s | | |%n",
                        target, added, storing, total, added / total);
                for (String mode : List.of("keyword", "vector", "hybrid")) {
                    // warm-up: the first searches after a load read the new segments
                    for (int i = 0; i < 5; i++) {
                        search(rag, token, collection, queries.get(i), mode);
                    }
                    double[] ms = new double[queries.size()];
                    for (int i = 0; i < queries.size(); i++) {
                        long t = System.nanoTime();
                        search(rag, token, collection, queries.get(i), mode);
                        ms[i] = (System.nanoTime() - t) / 1e6;
                    }
                    java.util.Arrays.sort(ms);
                    System.out.printf("| %,d | %s | %.1f | %.1f |%n", target, mode, ms[ms.length / 2],
                            ms[(int) Math.ceil(0.95 * ms.length) - 1]);
                }
                double[] ms = new double[50];
                for (int i = 0; i < ms.length; i++) {
                    long t = System.nanoTime();
                    post(rag + "/api/rag/ask", token, Map.of("question", queries.get(i), "collectionIds", List.of(collection)));
                    ms[i] = (System.nanoTime() - t) / 1e6;
                }
                java.util.Arrays.sort(ms);
                System.out.printf("| %,d | ask (extractive) | %.1f | %.1f |%n", target, ms[ms.length / 2],
                        ms[(int) Math.ceil(0.95 * ms.length) - 1]);
                if (ragPid != null && !ragPid.isBlank()) {
                    // rag-service holds nothing per chunk: its memory after indexing and searching this many
                    System.out.printf("| %,d | rag-service after GC: heap %s MiB, resident %s MiB | | |%n", target,
                            heapAfterGc(ragPid.strip()), resident(ragPid.strip()));
                }
            }
        }
        if (kept == null || kept.isBlank()) { // a collection given to reuse stays for the next run
            HTTP.send(HttpRequest.newBuilder(URI.create(rag + "/api/rag/collections/" + collection))
                    .header("Authorization", "Bearer " + token).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    /**
     * rag-service's heap after a full GC and its resident memory, before and after creating {@code count} empty
     * collections and searching each once (hybrid: the query embedded, both halves asked of the engine).
     */
    private static void memoryWithEmptyCollections(String rag, String token, String pid, int count) throws Exception {
        System.out.printf("| collections searched | heap after GC MiB | resident MiB |%n|---|---|---|%n");
        System.out.printf("| 0 | %s | %s |%n", heapAfterGc(pid), resident(pid));
        List<String> created = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = post(rag + "/api/rag/collections", token, Map.of("name", "memory-" + i)).get("id").asText();
            created.add(id);
            post(rag + "/api/rag/search", token, Map.of("query", "flow over a flat plate", "collectionIds", List.of(id),
                    "mode", "hybrid"));
            if ((i + 1) % (count / 4) == 0) {
                System.out.printf("| %,d | %s | %s |%n", i + 1, heapAfterGc(pid), resident(pid));
            }
        }
        System.out.println();
        for (String id : created) {
            HTTP.send(HttpRequest.newBuilder(URI.create(rag + "/api/rag/collections/" + id))
                    .header("Authorization", "Bearer " + token).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    private static String heapAfterGc(String pid) throws Exception {
        Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), pid, "GC.run")
                .redirectErrorStream(true).start();
        gc.getInputStream().readAllBytes();
        gc.waitFor();
        Process heap = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), pid,
                "GC.heap_info").redirectErrorStream(true).start();
        String info = new String(heap.getInputStream().readAllBytes());
        heap.waitFor();
        // serial GC: "DefNew total 4928K, used 123K" and "Tenured total 10944K, used 5467K" (older JDKs: "... generation")
        long usedKb = 0;
        for (String line : info.split("\n")) {
            java.util.regex.Matcher used = java.util.regex.Pattern.compile("^(DefNew|Tenured|.*generation) .*used (\\d+)K").matcher(line);
            if (used.find()) {
                usedKb += Long.parseLong(used.group(2));
            }
        }
        return String.format("%.1f", usedKb / 1024.0);
    }

    private static String resident(String pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
            if (line.startsWith("VmRSS:")) {
                return String.format("%.0f", Long.parseLong(line.replaceAll("\\D", "")) / 1024.0);
            }
        }
        return "?";
    }

    /** Waits until no document of the collection is PENDING. */
    private static void awaitIndexed(Connection db, UUID collection) throws Exception {
        try (PreparedStatement pending = db.prepareStatement(
                "select count(*) from rag.document where collection_id = ? and status = 'PENDING'")) {
            pending.setObject(1, collection);
            while (true) {
                try (ResultSet rows = pending.executeQuery()) {
                    rows.next();
                    if (rows.getLong(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(1000);
            }
        }
    }

    /** Adds {@code count} chunks (ten per document) copied from the source with noisy vectors, stored for the indexer. */
    private static int seed(Connection db, UUID collection, UUID owner, String model, List<String> texts, List<float[]> vectors,
            int count, int offset, Random random) throws Exception {
        db.setAutoCommit(false);
        try (PreparedStatement doc = db.prepareStatement("""
                insert into rag.document (id, collection_id, owner_id, title, external_id, content_type, size_bytes,
                    status, chunk_count, created_at, stored_at, embedding_model)
                values (?, ?, ?, ?, ?, 'text/plain', 0, 'PENDING', 10, now(), now(), ?)""");
                PreparedStatement chunk = db.prepareStatement("""
                        insert into rag.chunk (id, document_id, collection_id, ordinal, text, embedding)
                        values (nextval('rag.chunk_seq'), ?, ?, ?, ?, ?)""")) {
            UUID document = null;
            for (int i = 0; i < count; i++) {
                int n = offset + i;
                if (n % 10 == 0) {
                    document = UUID.randomUUID();
                    doc.setObject(1, document);
                    doc.setObject(2, collection);
                    doc.setObject(3, owner);
                    doc.setString(4, "seeded " + n / 10);
                    doc.setString(5, "seed-" + n / 10);
                    doc.setString(6, model);
                    doc.executeUpdate();
                }
                int source = n % texts.size();
                float[] v = vectors.get(source).clone();
                double norm = 0;
                for (int d = 0; d < v.length; d++) {
                    v[d] += (float) (random.nextGaussian() * 0.02);
                    norm += v[d] * v[d];
                }
                ByteBuffer bytes = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : v) {
                    bytes.putFloat((float) (x / Math.sqrt(norm)));
                }
                chunk.setObject(1, document);
                chunk.setObject(2, collection);
                chunk.setInt(3, n % 10);
                chunk.setString(4, texts.get(source));
                chunk.setBytes(5, bytes.array());
                chunk.addBatch();
                if (i % 1000 == 999) {
                    chunk.executeBatch();
                    db.commit(); // the indexer starts on what is committed while the rest is written
                }
            }
            chunk.executeBatch();
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        try (PreparedStatement analyze = db.prepareStatement("analyze rag.chunk")) {
            analyze.execute();
        }
        return count;
    }

    private static void search(String rag, String token, String collection, String query, String mode) throws Exception {
        post(rag + "/api/rag/search", token, Map.of("query", query, "collectionIds", List.of(collection), "mode", mode,
                "topK", 10));
    }

    private static String login(String auth, String email, String password) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(auth + "/api/auth/login"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(Map.of("email", email, "password", password)))).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).get("accessToken").asText();
    }

    private static JsonNode post(String url, String token, Object body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
