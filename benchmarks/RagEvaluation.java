import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.rag.eval.RetrievalMetrics;

/**
 * Retrieval quality of rag-service on a BEIR-layout collection (corpus.jsonl, queries.jsonl, qrels.tsv), through its
 * API: loads the corpus into a new collection in batches, waits until every document is indexed (ingestion
 * throughput), runs every judged query in each mode (latency p50/p95) and prints nDCG@10, recall@10 and MRR@10 per
 * mode in Markdown. Documents are ranked by their best passage (passages of the same document after the first are
 * skipped). Run: ./meridian eval rag [dataset dir] (signs in as the local stack's admin).
 */
public class RagEvaluation {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        String rag = args[0];
        String token = login(args[1], args[2], Files.readString(Path.of(args[3])).strip());
        Path dataset = Path.of(args[4]);

        Map<String, JsonNode> corpus = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dataset.resolve("corpus.jsonl"))) {
            if (!line.isBlank()) {
                JsonNode doc = JSON.readTree(line);
                corpus.put(doc.get("_id") != null ? doc.get("_id").asText() : doc.get("id").asText(), doc);
            }
        }
        Map<String, String> queries = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dataset.resolve("queries.jsonl"))) {
            if (!line.isBlank()) {
                JsonNode q = JSON.readTree(line);
                queries.put(q.get("_id") != null ? q.get("_id").asText() : q.get("id").asText(), q.get("text").asText());
            }
        }
        Map<String, Map<String, Integer>> qrels = new HashMap<>();
        for (String line : Files.readAllLines(dataset.resolve("qrels.tsv"))) {
            String[] f = line.split("\t");
            if (f.length == 3 && !f[0].equals("query-id")) {
                qrels.computeIfAbsent(f[0], k -> new HashMap<>()).put(f[1], Integer.parseInt(f[2]));
            }
        }

        String collection = post(rag + "/api/rag/collections", token,
                Map.of("name", "eval-" + dataset.getFileName() + "-" + System.currentTimeMillis())).get("id").asText();
        long started = System.nanoTime();
        List<Map<String, Object>> batch = new ArrayList<>();
        for (Map.Entry<String, JsonNode> doc : corpus.entrySet()) {
            String title = doc.getValue().path("title").asText("");
            String text = doc.getValue().path("text").asText("");
            String body = (title + "\n\n" + text).strip();
            batch.add(Map.of("title", title.isBlank() ? "document " + doc.getKey() : title,
                    "text", body.isEmpty() ? "(empty document " + doc.getKey() + ")" : body, "externalId", doc.getKey()));
            if (batch.size() == 500) {
                post(rag + "/api/rag/collections/" + collection + "/documents/batch", token, Map.of("documents", batch));
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            post(rag + "/api/rag/collections/" + collection + "/documents/batch", token, Map.of("documents", batch));
        }
        long chunks = awaitIndexed(rag, token, collection, corpus.size());
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("Ingested %d documents (%d chunks) in %.1f s: %.1f documents/s, %.1f chunks/s%n%n",
                corpus.size(), chunks, seconds, corpus.size() / seconds, chunks / seconds);

        System.out.println("| mode | nDCG@10 | recall@10 | MRR@10 | p50 ms | p95 ms |");
        System.out.println("|---|---|---|---|---|---|");
        // hybrid once per fusion: normalised scores (min-max, z-score; the deployment's vector weight) and rank fusion
        for (List<String> run : List.of(List.of("keyword", ""), List.of("vector", ""), List.of("hybrid", "min-max"),
                List.of("hybrid", "z-score"), List.of("hybrid", "rrf"))) {
            String mode = run.get(0);
            String fusion = run.get(1);
            double ndcg = 0, recall = 0, mrr = 0;
            List<Double> latencies = new ArrayList<>();
            int judged = 0;
            for (Map.Entry<String, String> query : queries.entrySet()) {
                Map<String, Integer> relevant = qrels.get(query.getKey());
                if (relevant == null) {
                    continue;
                }
                long t = System.nanoTime();
                Map<String, Object> request = new HashMap<>(Map.of("query", query.getValue(),
                        "collectionIds", List.of(collection), "topK", 30, "mode", mode));
                if (!fusion.isEmpty()) {
                    request.put("fusion", fusion);
                }
                JsonNode found = post(rag + "/api/rag/search", token, request);
                latencies.add((System.nanoTime() - t) / 1e6);
                LinkedHashSet<String> ranking = new LinkedHashSet<>();
                found.get("results").forEach(r -> ranking.add(r.get("externalId").asText()));
                List<String> top = new ArrayList<>(ranking);
                ndcg += RetrievalMetrics.ndcg(top, relevant, 10);
                recall += RetrievalMetrics.recall(top, relevant, 10);
                mrr += RetrievalMetrics.reciprocalRank(top, relevant, 10);
                judged++;
            }
            double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("| %s | %.4f | %.4f | %.4f | %.1f | %.1f |%n",
                    fusion.isEmpty() ? mode : mode + " (" + fusion + ")", ndcg / judged, recall / judged,
                    mrr / judged, percentile(sorted, 0.50), percentile(sorted, 0.95));
        }
        System.out.printf("%n%d judged queries; collection %s (delete it with DELETE /api/rag/collections/%s)%n",
                qrels.size(), collection, collection);
    }

    private static long awaitIndexed(String rag, String token, String collection, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (System.nanoTime() < deadline) {
            int indexed = 0, failed = 0;
            long chunks = 0;
            for (int page = 0; page * 100 < expected; page++) {
                JsonNode docs = get(rag + "/api/rag/collections/" + collection + "/documents?size=100&page=" + page, token);
                for (JsonNode d : docs.get("items")) {
                    switch (d.get("status").asText()) {
                        case "INDEXED" -> {
                            indexed++;
                            chunks += d.get("chunkCount").asLong();
                        }
                        case "FAILED" -> failed++;
                        default -> { }
                    }
                }
            }
            if (indexed + failed >= expected) {
                if (failed > 0) {
                    System.out.println(failed + " documents FAILED");
                }
                return chunks;
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("ingestion did not finish in 30 minutes");
    }

    private static double percentile(double[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String login(String auth, String email, String password) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(auth + "/api/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("email", email, "password", password))))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("login answered " + response.statusCode() + ": " + response.body());
        }
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

    private static JsonNode get(String url, String token) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }
}
