package io.meridian.rag.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

/**
 * BM25 over PostgreSQL's full-text vectors: the lexemes and their counts come from each chunk's {@code tsv} (the
 * english configuration's parsing, stemming and stop words), the query's from {@code to_tsvector}; the ranking, with
 * inverse document frequency and length normalisation, runs over an inverted index each replica keeps per collection.
 * It is kept up to date like {@link VectorIndex}: by the collection's {@code index_version}, appending new chunks,
 * rebuilding after a deletion. Ranking a query costs its terms' postings, not the rows that match any of its words.
 */
@ApplicationScoped
public class KeywordIndex {

    private static final double K1 = 1.2;
    private static final double B = 0.75;

    /** A chunk and its BM25 score. */
    public record Hit(long chunkId, double score) {
    }

    private record Postings(int[] docs, short[] tfs, int size) {
    }

    private record Snapshot(long version, long[] ids, int[] lengths, int size, long totalLength, long maxId,
            Map<String, Postings> terms) {
    }

    private final AgroalDataSource dataSource;
    private final CollectionSnapshots<Snapshot> snapshots;

    KeywordIndex(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
        this.snapshots = new CollectionSnapshots<>(dataSource, this::load, Snapshot::version, Snapshot::size);
    }

    /** The query's lexemes, as PostgreSQL's english configuration makes them. */
    public List<String> lexemes(String query) {
        List<String> lexemes = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select lexeme from unnest(to_tsvector('english', ?))")) {
            statement.setString(1, query);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    lexemes.add(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not parse the query", e);
        }
        return lexemes;
    }

    /** The {@code k} best chunks by BM25 in the given collections (id to current index version). */
    public List<Hit> search(Map<UUID, Long> collections, List<String> lexemes, int k) {
        PriorityQueue<Hit> best = new PriorityQueue<>(Comparator.comparingDouble(Hit::score));
        for (Map.Entry<UUID, Long> collection : collections.entrySet()) {
            Snapshot s = snapshots.current(collection.getKey(), collection.getValue());
            if (s.size() == 0) {
                continue;
            }
            double avgLength = (double) s.totalLength() / s.size();
            float[] scores = new float[s.size()];
            boolean[] touched = new boolean[s.size()];
            List<Integer> candidates = new ArrayList<>();
            for (String lexeme : lexemes) {
                Postings p = s.terms().get(lexeme);
                if (p == null) {
                    continue;
                }
                double idf = Math.log(1 + (s.size() - p.size() + 0.5) / (p.size() + 0.5));
                for (int i = 0; i < p.size(); i++) {
                    int doc = p.docs()[i];
                    int tf = p.tfs()[i];
                    double norm = K1 * (1 - B + B * s.lengths()[doc] / avgLength);
                    scores[doc] += (float) (idf * tf * (K1 + 1) / (tf + norm));
                    if (!touched[doc]) {
                        touched[doc] = true;
                        candidates.add(doc);
                    }
                }
            }
            for (int doc : candidates) {
                if (best.size() < k) {
                    best.add(new Hit(s.ids()[doc], scores[doc]));
                } else if (scores[doc] > best.peek().score()) {
                    best.poll();
                    best.add(new Hit(s.ids()[doc], scores[doc]));
                }
            }
        }
        List<Hit> hits = new ArrayList<>(best);
        hits.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparingLong(Hit::chunkId));
        return hits;
    }

    public void forget(UUID collectionId) {
        snapshots.forget(collectionId);
    }

    /** Reads the collection's chunks (or those after {@code previous}'s highest id) into a new, immutable index. */
    private Snapshot load(UUID collectionId, long version, Snapshot previous) throws SQLException {
        int size = previous == null ? 0 : previous.size();
        long[] ids = previous == null ? new long[1024] : Arrays.copyOf(previous.ids(), Math.max(1024, previous.ids().length));
        int[] lengths = previous == null ? new int[1024] : Arrays.copyOf(previous.lengths(), ids.length);
        long totalLength = previous == null ? 0 : previous.totalLength();
        long maxId = previous == null ? Long.MIN_VALUE : previous.maxId();
        Map<String, int[]> docs = new HashMap<>();
        Map<String, short[]> tfs = new HashMap<>();
        Map<String, Integer> sizes = new HashMap<>();
        if (previous != null) {
            previous.terms().forEach((term, p) -> {
                docs.put(term, Arrays.copyOf(p.docs(), p.size() + 4));
                tfs.put(term, Arrays.copyOf(p.tfs(), p.size() + 4));
                sizes.put(term, p.size());
            });
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select id, tsv::text from chunk where collection_id = ? and id > ? order by id")) {
            statement.setObject(1, collectionId);
            statement.setLong(2, maxId);
            statement.setFetchSize(2000);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    if (size == ids.length) {
                        ids = Arrays.copyOf(ids, size * 2);
                        lengths = Arrays.copyOf(lengths, size * 2);
                    }
                    ids[size] = rows.getLong(1);
                    maxId = Math.max(maxId, ids[size]);
                    int length = 0;
                    for (Map.Entry<String, Integer> term : parse(rows.getString(2)).entrySet()) {
                        String lexeme = term.getKey();
                        int n = sizes.getOrDefault(lexeme, 0);
                        int[] d = docs.get(lexeme);
                        short[] t = tfs.get(lexeme);
                        if (d == null || n == d.length) {
                            d = d == null ? new int[4] : Arrays.copyOf(d, n * 2);
                            t = t == null ? new short[4] : Arrays.copyOf(t, n * 2);
                            docs.put(lexeme, d);
                            tfs.put(lexeme, t);
                        }
                        d[n] = size;
                        t[n] = (short) Math.min(Short.MAX_VALUE, term.getValue());
                        sizes.put(lexeme, n + 1);
                        length += term.getValue();
                    }
                    lengths[size] = length;
                    totalLength += length;
                    size++;
                }
            }
        }
        Map<String, Postings> terms = new HashMap<>(docs.size() * 2);
        docs.forEach((term, d) -> terms.put(term, new Postings(d, tfs.get(term), sizes.get(term))));
        return new Snapshot(version, ids, lengths, size, totalLength, maxId, terms);
    }

    /** {@code 'lexeme':1,5 'other':3A} to lexeme and number of positions (1 when positions were stripped). */
    static Map<String, Integer> parse(String tsvector) {
        Map<String, Integer> terms = new HashMap<>();
        int i = 0;
        int n = tsvector.length();
        while (i < n) {
            if (tsvector.charAt(i) != '\'') {
                i++;
                continue;
            }
            StringBuilder lexeme = new StringBuilder();
            i++;
            while (i < n) {
                char c = tsvector.charAt(i);
                if (c == '\'' && i + 1 < n && tsvector.charAt(i + 1) == '\'') {
                    lexeme.append('\'');
                    i += 2;
                } else if (c == '\'') {
                    i++;
                    break;
                } else {
                    if (c == '\\' && i + 1 < n) {
                        i++;
                        c = tsvector.charAt(i);
                    }
                    lexeme.append(c);
                    i++;
                }
            }
            int positions = 1;
            if (i < n && tsvector.charAt(i) == ':') {
                positions = 1;
                i++;
                while (i < n && tsvector.charAt(i) != ' ') {
                    if (tsvector.charAt(i) == ',') {
                        positions++;
                    }
                    i++;
                }
            }
            terms.merge(lexeme.toString(), positions, Integer::sum);
        }
        return terms;
    }
}
