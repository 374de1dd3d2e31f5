package io.meridian.cache.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.meridian.cache.config.CacheConfig;
import io.meridian.platform.problem.ProblemException;
import io.meridian.platform.redis.RedisScript;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The entries in Redis. A namespace's keys share a hash tag, {@code <prefix>{<namespace>}:}, and every change is one
 * Lua script: the entry (a hash of value and content type, with its TTL), the namespace's LRU index (a sorted set
 * scored by last use: the order of eviction, the key count, and the list to flush without KEYS), its expiry index
 * (expired entries leave the LRU index as the next writes pass), and its hit and miss counters (HINCRBY: atomic,
 * shared by every replica). Work over many entries (flush, prefix invalidation, trimming) goes in bounded batches so
 * that Redis keeps answering everyone else in between.
 */
@ApplicationScoped
public class CacheStore {

    private static final Logger LOG = Logger.getLogger(CacheStore.class);

    /** What a caller gets back: the value and the content type it was stored with. */
    public record Entry(byte[] value, String contentType) {
    }

    /** An entry to write and how long it lives. */
    public record NewEntry(String key, byte[] value, String contentType, long ttlMillis) {
    }

    /** A namespace's key count and its hit and miss counters. */
    public record Counts(long keys, long hits, long misses) {
    }

    /** What Redis says of itself. */
    public record RedisInfo(long usedMemoryBytes, long connectedClients, long uptimeSeconds) {
    }

    private static final String NOW = """
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            """;
    private static final String PRUNE = """
            local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, %d)
            if #expired > 0 then
              redis.call('ZREM', KEYS[1], unpack(expired))
              redis.call('ZREM', KEYS[2], unpack(expired))
            end
            """;
    // KEYS: lru, exp, registry. ARGV: entry prefix, namespace, max entries (0: none), index TTL ms, then per entry
    // key, value, content type, TTL ms. Returns how many entries were evicted.
    private static final RedisScript PUT = new RedisScript(NOW + PRUNE.formatted(100) + """
            for i = 5, #ARGV, 4 do
              local entry = ARGV[1] .. ARGV[i]
              redis.call('DEL', entry)
              redis.call('HSET', entry, 'v', ARGV[i + 1], 't', ARGV[i + 2])
              redis.call('PEXPIRE', entry, ARGV[i + 3])
              redis.call('ZADD', KEYS[2], now + tonumber(ARGV[i + 3]), ARGV[i])
              redis.call('ZADD', KEYS[1], now, ARGV[i])
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            redis.call('PEXPIRE', KEYS[2], ARGV[4])
            redis.call('SADD', KEYS[3], ARGV[2])
            local evicted = 0
            local max = tonumber(ARGV[3])
            if max > 0 then
              local over = redis.call('ZCARD', KEYS[1]) - max
              if over > 0 then
                local victims = redis.call('ZPOPMIN', KEYS[1], over)
                for i = 1, #victims, 2 do
                  redis.call('DEL', ARGV[1] .. victims[i])
                  redis.call('ZREM', KEYS[2], victims[i])
                  evicted = evicted + 1
                end
              end
            end
            return evicted
            """);
    // KEYS: lru, exp, stats. ARGV: entry prefix, index TTL ms, then the keys. Returns value and content type per key
    // (false for a miss), counts hits and misses, and marks the hits as just used.
    private static final RedisScript GET = new RedisScript(NOW + """
            local out = {}
            local hits, misses = 0, 0
            for i = 3, #ARGV do
              local e = redis.call('HMGET', ARGV[1] .. ARGV[i], 'v', 't')
              if e[1] then
                hits = hits + 1
                redis.call('ZADD', KEYS[1], 'XX', now, ARGV[i])
                out[#out + 1] = e[1]
                out[#out + 1] = e[2]
              else
                misses = misses + 1
                redis.call('ZREM', KEYS[1], ARGV[i])
                redis.call('ZREM', KEYS[2], ARGV[i])
                out[#out + 1] = false
                out[#out + 1] = false
              end
            end
            if hits > 0 then redis.call('HINCRBY', KEYS[3], 'hits', hits) end
            if misses > 0 then redis.call('HINCRBY', KEYS[3], 'misses', misses) end
            redis.call('PEXPIRE', KEYS[3], ARGV[2])
            return out
            """);
    // KEYS: lru, exp. ARGV: entry prefix, then the keys. Returns how many entries existed.
    private static final RedisScript DELETE = new RedisScript("""
            local deleted = 0
            for i = 2, #ARGV do
              deleted = deleted + redis.call('UNLINK', ARGV[1] .. ARGV[i])
              redis.call('ZREM', KEYS[1], ARGV[i])
              redis.call('ZREM', KEYS[2], ARGV[i])
            end
            return deleted
            """);
    // KEYS: lru, exp. ARGV: entry prefix, batch size, entries to keep (0 to flush). Deletes the least recently used
    // entries beyond the ones to keep, at most a batch; returns how many it deleted.
    private static final RedisScript SHRINK = new RedisScript("""
            local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
            if over <= 0 then return 0 end
            local victims = redis.call('ZRANGE', KEYS[1], 0, math.min(over, tonumber(ARGV[2])) - 1)
            for _, k in ipairs(victims) do redis.call('UNLINK', ARGV[1] .. k) end
            redis.call('ZREM', KEYS[1], unpack(victims))
            redis.call('ZREM', KEYS[2], unpack(victims))
            return #victims
            """);
    // KEYS: lru, exp, stats. Forgets expired entries (a batch at a time), then returns key count, hits, misses.
    private static final RedisScript COUNT = new RedisScript(NOW + """
            for _ = 1, 100 do
            """ + PRUNE.formatted(1000) + """
              if #expired < 1000 then break end
            end
            local s = redis.call('HMGET', KEYS[3], 'hits', 'misses')
            return {redis.call('ZCARD', KEYS[1]), tonumber(s[1]) or 0, tonumber(s[2]) or 0}
            """);

    private final Redis redis;
    private final CacheConfig config;
    private final Duration timeout;
    private final String indexTtlMillis;
    private final AtomicLong lastWarning = new AtomicLong();

    CacheStore(Redis redis, CacheConfig config) {
        this.redis = redis;
        this.config = config;
        this.timeout = config.redisTimeout();
        // An index outlives every entry in it: each write pushes its expiry past the longest possible TTL.
        this.indexTtlMillis = String.valueOf(config.maxTtl().plusDays(1).toMillis());
    }

    /** Writes the entries; evicts the namespace's least recently used entries beyond {@code maxEntries} (0: none). */
    public Uni<Long> put(String namespace, List<NewEntry> entries, int maxEntries) {
        List<Object> args = new ArrayList<>(4 + 4 * entries.size());
        args.add(entryPrefix(namespace));
        args.add(namespace);
        args.add(String.valueOf(maxEntries));
        args.add(indexTtlMillis);
        for (NewEntry entry : entries) {
            args.add(entry.key());
            args.add(entry.value());
            args.add(entry.contentType());
            args.add(String.valueOf(entry.ttlMillis()));
        }
        return call(PUT.run(redis, List.of(lru(namespace), exp(namespace), registry()), args)).map(Response::toLong);
    }

    /** The entries of {@code keys}, in order, null where there is none. */
    public Uni<List<Entry>> get(String namespace, List<String> keys) {
        List<Object> args = new ArrayList<>(2 + keys.size());
        args.add(entryPrefix(namespace));
        args.add(indexTtlMillis);
        args.addAll(keys);
        return call(GET.run(redis, List.of(lru(namespace), exp(namespace), stats(namespace)), args)).map(reply -> {
            List<Entry> entries = new ArrayList<>(keys.size());
            for (int i = 0; i < reply.size(); i += 2) {
                Response value = reply.get(i);
                entries.add(value == null ? null : new Entry(value.toBytes(), reply.get(i + 1).toString()));
            }
            return entries;
        });
    }

    /** Deletes the entries of {@code keys}; answers how many there were. */
    public Uni<Long> delete(String namespace, List<String> keys) {
        List<Object> args = new ArrayList<>(1 + keys.size());
        args.add(entryPrefix(namespace));
        args.addAll(keys);
        return call(DELETE.run(redis, List.of(lru(namespace), exp(namespace)), args)).map(Response::toLong);
    }

    /** Deletes every entry of the namespace, a batch per Redis call; answers how many. */
    public Uni<Long> flush(String namespace) {
        return shrink(namespace, 0, 0);
    }

    /** Evicts the least recently used entries until at most {@code maxEntries} remain; answers how many went. */
    public Uni<Long> trim(String namespace, int maxEntries) {
        return maxEntries <= 0 ? Uni.createFrom().item(0L) : shrink(namespace, maxEntries, 0);
    }

    private Uni<Long> shrink(String namespace, int keep, long sofar) {
        return call(SHRINK.run(redis, List.of(lru(namespace), exp(namespace)),
                List.of(entryPrefix(namespace), String.valueOf(config.flushBatch()), String.valueOf(keep))))
                .map(Response::toLong)
                .flatMap(deleted -> deleted == 0 ? Uni.createFrom().item(sofar) : shrink(namespace, keep, sofar + deleted));
    }

    /** Deletes the entries whose keys start with {@code prefix}, scanning the namespace's index a batch at a time. */
    public Uni<Long> invalidatePrefix(String namespace, String prefix) {
        return scanAndDelete(namespace, globEscape(prefix) + "*", "0", 0);
    }

    private Uni<Long> scanAndDelete(String namespace, String pattern, String cursor, long sofar) {
        Request scan = Request.cmd(Command.ZSCAN).arg(lru(namespace)).arg(cursor).arg("MATCH").arg(pattern)
                .arg("COUNT").arg(config.flushBatch());
        return call(redis.send(scan)).flatMap(reply -> {
            String next = reply.get(0).toString();
            Response members = reply.get(1);
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < members.size(); i += 2) {
                keys.add(members.get(i).toString());
            }
            Uni<Long> deleted = keys.isEmpty() ? Uni.createFrom().item(0L) : delete(namespace, keys);
            return deleted.flatMap(count -> "0".equals(next) ? Uni.createFrom().item(sofar + count)
                    : scanAndDelete(namespace, pattern, next, sofar + count));
        });
    }

    /** The namespace's live key count (expired entries forgotten first) and its hit and miss counters. */
    public Uni<Counts> counts(String namespace) {
        return call(COUNT.run(redis, List.of(lru(namespace), exp(namespace), stats(namespace)), List.of()))
                .map(reply -> new Counts(reply.get(0).toLong(), reply.get(1).toLong(), reply.get(2).toLong()));
    }

    /** Every namespace that has had entries. */
    public Uni<Set<String>> namespaces() {
        return call(redis.send(Request.cmd(Command.SMEMBERS).arg(registry()))).map(reply -> {
            Set<String> names = new HashSet<>();
            reply.forEach(name -> names.add(name.toString()));
            return names;
        });
    }

    /** Memory, clients and uptime from Redis' INFO. */
    public Uni<RedisInfo> info() {
        return call(redis.send(Request.cmd(Command.INFO))).map(reply -> {
            String info = reply.toString();
            return new RedisInfo(field(info, "used_memory"), field(info, "connected_clients"),
                    field(info, "uptime_in_seconds"));
        });
    }

    private <T> Uni<T> call(Future<T> future) {
        return Uni.createFrom().completionStage((CompletionStage<T>) future.toCompletionStage())
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException("no answer within " + timeout))
                .onFailure(failure -> !(failure instanceof ProblemException)).transform(failure -> {
                    long now = System.currentTimeMillis();
                    long logged = lastWarning.get();
                    if (now - logged > 10_000 && lastWarning.compareAndSet(logged, now)) {
                        LOG.warnf("Redis did not answer; cache requests get 503 until it does: %s", failure.toString());
                    }
                    return ProblemException.unavailable("The cache store is not reachable right now; try again shortly.");
                });
    }

    private static long field(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1).trim());
            }
        }
        return -1;
    }

    private static String globEscape(String text) {
        return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    private String base(String namespace) {
        return config.keyPrefix() + "{" + namespace + "}:";
    }

    private String entryPrefix(String namespace) {
        return base(namespace) + "e:";
    }

    private String lru(String namespace) {
        return base(namespace) + "lru";
    }

    private String exp(String namespace) {
        return base(namespace) + "exp";
    }

    private String stats(String namespace) {
        return base(namespace) + "stats";
    }

    private String registry() {
        return config.keyPrefix() + "namespaces";
    }
}
