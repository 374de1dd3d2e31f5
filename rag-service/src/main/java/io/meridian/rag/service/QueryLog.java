package io.meridian.rag.service;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The queries this replica has searched and asked, counted by their normalised text (lower case, single spaces),
 * for the gateway's analytics. Bounded: past 10,000 distinct queries the rarest half is forgotten.
 */
@ApplicationScoped
public class QueryLog {

    private static final int LIMIT = 10_000;

    /** A query and how often it came. */
    public record Count(String query, long count) {
    }

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    public void record(String query) {
        String normal = query.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
        if (normal.length() > 200) {
            normal = normal.substring(0, 200);
        }
        counts.computeIfAbsent(normal, q -> new LongAdder()).increment();
        if (counts.size() > LIMIT) {
            forgetRarest();
        }
    }

    public List<Count> top(int n) {
        return counts.entrySet().stream().map(e -> new Count(e.getKey(), e.getValue().sum()))
                .sorted(Comparator.comparingLong(Count::count).reversed().thenComparing(Count::query)).limit(n).toList();
    }

    private synchronized void forgetRarest() {
        if (counts.size() <= LIMIT) {
            return;
        }
        List<Count> all = top(Integer.MAX_VALUE);
        all.subList(LIMIT / 2, all.size()).forEach(c -> counts.remove(c.query()));
    }
}
