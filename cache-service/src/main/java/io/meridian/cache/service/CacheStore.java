package io.meridian.cache.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.meridian.cache.config.CacheConfig;
import io.meridian.platform.problem.ProblemException;
import io.meridian.platform.redis.RedisScript;
import io.quarkus.redis.client.RedisClientName;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The entries in the Redis for cache data (the client named {@code cache}, apart from the Redis of security state).
 * A namespace's keys share a hash tag, {@code <prefix>{<namespace>}:}, and every change is one Lua script: the entry
 * (a hash of value and content type, with its TTL), the namespace's LRU index (a sorted set scored by last use: the
 * order of eviction, the key count, and the list to flush without KEYS), its expiry index (expired entries leave the
 * indexes as the next writes pass), the size of each value and their sum (the byte quota: past it the least recently
 * used entries make room), and its hit and miss counters (HINCRBY: atomic, shared by every replica). A namespace
 * left empty leaves the registry of namespaces. Work over many entries (flush, prefix invalidation, trimming) goes in
 * bounded batches so that Redis keeps answering everyone else in between.
 */
@ApplicationScoped
public class CacheStore {

    private static final Logger LOG = Logger.getLogger(CacheStore.class);
    /** Fields of the totals hash that are not figures: one pass over the registry adopts older namespaces. */
    private static final String ADOPTED = "~adopted";
    private static final String SCAN_CURSOR = "~scan";

    /** What a caller gets back: the value and the content type it was stored with. */
    public record Entry(byte[] value, String contentType) {
    }

    /** An entry to write and how long it lives. */
    public record NewEntry(String key, byte[] value, String contentType, long ttlMillis) {
    }

    /** A namespace's key count, its hit and miss counters and the bytes of its values. */
    public record Counts(long keys, long hits, long misses, long bytes) {
    }

    /** What Redis says of itself. */
    public record RedisInfo(long usedMemoryBytes, long connectedClients, long uptimeSeconds) {
    }

    // Every script: KEYS lru, exp, registry, sizes, stats, totals, due; ARGV entry prefix, namespace, index TTL ms,
    // then its own. The totals hash holds keys, bytes, hits and misses per label (a shared namespace's name, or user:*
    // for all private namespaces together), kept by every change, so that the figures cost one read however many
    // namespaces there are; a namespace joins them when it is created (or, written before totals existed, when it is
    // next counted: its stats hash then gets the field 'tracked'). The due set scores each namespace by its earliest
    // expiry (or lower), so that expired entries can be found and leave the totals without visiting every namespace.
    private static final String COMMON = """
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            local label = string.sub(ARGV[2], 1, 5) == 'user:' and 'user:*' or ARGV[2]
            local counted = redis.call('HEXISTS', KEYS[5], 'tracked') == 1
            if not counted and redis.call('ZCARD', KEYS[1]) == 0 then
              counted = true
              redis.pcall('HSET', KEYS[5], 'tracked', 1) -- refused while Redis is full: the namespace is empty anyway
              redis.pcall('PEXPIRE', KEYS[5], ARGV[3])
            end
            local function total(field, n)
              if counted and n ~= 0 then redis.pcall('HINCRBY', KEYS[6], label .. '|' .. field, n) end
            end
            local function bytes()
              return tonumber(redis.call('HGET', KEYS[5], 'bytes') or 0)
            end
            local function forget(k)
              local size = redis.call('HGET', KEYS[4], k)
              if size then
                redis.call('HDEL', KEYS[4], k)
                redis.pcall('HINCRBY', KEYS[5], 'bytes', -tonumber(size)) -- refused while Redis is full: a flush must still work
                total('keys', -1)
                total('bytes', -tonumber(size))
              end
              redis.call('ZREM', KEYS[1], k)
              redis.call('ZREM', KEYS[2], k)
            end
            local function prune(batch)
              local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, batch)
              for _, k in ipairs(expired) do forget(k) end
              return #expired
            end
            local function retire()
              if redis.call('ZCARD', KEYS[1]) == 0 then
                redis.call('SREM', KEYS[3], ARGV[2])
                redis.call('ZREM', KEYS[7], ARGV[2])
                redis.call('DEL', KEYS[4])
                redis.call('HDEL', KEYS[5], 'bytes')
                if label ~= 'user:*' and counted then
                  redis.call('HDEL', KEYS[6], label .. '|keys', label .. '|bytes', label .. '|hits', label .. '|misses')
                  redis.call('HDEL', KEYS[5], 'hits', 'misses')
                end
              end
            end
            local function over(entries, limit)
              return (entries >= 0 and redis.call('ZCARD', KEYS[1]) > entries) or (limit >= 0 and bytes() > limit)
            end
            local function evict(entries, limit, most)
              local n = 0
              while n < most and over(entries, limit) do
                local victim = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
                if not victim then break end
                redis.call('UNLINK', ARGV[1] .. victim)
                forget(victim)
                n = n + 1
              end
              return n
            end
            """;
    // ARGV 4: max entries, 5: max bytes (-1: none), then per entry key, value, content type, TTL ms. Returns how many
    // entries were evicted to make room.
    private static final RedisScript PUT = new RedisScript(COMMON + """
            -- first a write Redis refuses when it is full: past the first write of a script Redis lets the rest through
            redis.call('SADD', KEYS[3], ARGV[2])
            prune(100)
            for i = 6, #ARGV, 4 do
              local k = ARGV[i]
              local entry = ARGV[1] .. k
              forget(k)
              redis.call('DEL', entry)
              redis.call('HSET', entry, 'v', ARGV[i + 1], 't', ARGV[i + 2])
              redis.call('PEXPIRE', entry, ARGV[i + 3])
              redis.call('ZADD', KEYS[2], now + tonumber(ARGV[i + 3]), k)
              redis.call('ZADD', KEYS[1], now, k)
              redis.call('HSET', KEYS[4], k, #ARGV[i + 1])
              redis.call('HINCRBY', KEYS[5], 'bytes', #ARGV[i + 1])
              redis.call('ZADD', KEYS[7], 'LT', now + tonumber(ARGV[i + 3]), ARGV[2])
              total('keys', 1)
              total('bytes', #ARGV[i + 1])
            end
            for i = 1, 5 do
              if i ~= 3 then redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
            end
            return evict(tonumber(ARGV[4]), tonumber(ARGV[5]), 100000)
            """);
    // ARGV 4...: the keys. Returns value and content type per key (false for a miss), counts hits and misses, and
    // marks the hits as just used.
    private static final RedisScript GET = new RedisScript(COMMON + """
            local out = {}
            local hits, misses = 0, 0
            for i = 4, #ARGV do
              local e = redis.call('HMGET', ARGV[1] .. ARGV[i], 'v', 't')
              if e[1] then
                hits = hits + 1
                redis.pcall('ZADD', KEYS[1], 'XX', now, ARGV[i]) -- bookkeeping: refused while Redis is full
                out[#out + 1] = e[1]
                out[#out + 1] = e[2]
              else
                misses = misses + 1
                forget(ARGV[i])
                out[#out + 1] = false
                out[#out + 1] = false
              end
            end
            if hits > 0 then redis.pcall('HINCRBY', KEYS[5], 'hits', hits) end
            if misses > 0 then redis.pcall('HINCRBY', KEYS[5], 'misses', misses) end
            total('hits', hits)
            total('misses', misses)
            redis.pcall('PEXPIRE', KEYS[5], ARGV[3])
            if misses > 0 then retire() end
            return out
            """);
    // ARGV 4...: the keys. Returns how many entries existed.
    private static final RedisScript DELETE = new RedisScript(COMMON + """
            local deleted = 0
            for i = 4, #ARGV do
              deleted = deleted + redis.call('UNLINK', ARGV[1] .. ARGV[i])
              forget(ARGV[i])
            end
            retire()
            return deleted
            """);
    // ARGV 4: batch size, 5: entries to keep, 6: bytes to keep (-1: no such limit; 0 entries: a flush). Deletes the
    // least recently used entries beyond what may stay, at most a batch; returns how many it deleted.
    private static final RedisScript SHRINK = new RedisScript(COMMON + """
            local n = evict(tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[4]))
            retire()
            return n
            """);
    // Forgets expired entries (a batch at a time), joins the totals if it had not, reschedules the namespace in the
    // due set, then returns key count, hits, misses and bytes of values.
    private static final RedisScript COUNT = new RedisScript(COMMON + """
            for _ = 1, 100 do
              if prune(1000) < 1000 then break end
            end
            local s = redis.call('HMGET', KEYS[5], 'hits', 'misses')
            local keys, hits, misses = redis.call('ZCARD', KEYS[1]), tonumber(s[1]) or 0, tonumber(s[2]) or 0
            if not counted then
              counted = true
              redis.call('HSET', KEYS[5], 'tracked', 1)
              total('keys', keys)
              total('bytes', bytes())
              total('hits', hits)
              total('misses', misses)
            end
            local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
            if first[1] then redis.call('ZADD', KEYS[7], first[2], ARGV[2]) end
            retire()
            return {keys, hits, misses, bytes()}
            """);

    private final Redis redis;
    private final CacheConfig config;
    private final Duration timeout;
    private final String indexTtlMillis;
    private final AtomicLong lastWarning = new AtomicLong();

    CacheStore(@RedisClientName("cache") Redis redis, CacheConfig config) {
        this.redis = redis;
        this.config = config;
        this.timeout = config.redisTimeout();
        // An index outlives every entry in it: each write pushes its expiry past the longest possible TTL.
        this.indexTtlMillis = String.valueOf(config.maxTtl().plusDays(1).toMillis());
    }

    /**
     * Writes the entries; evicts the namespace's least recently used entries beyond {@code maxEntries} or
     * {@code maxBytes} of values (0: no such limit).
     */
    public Uni<Long> put(String namespace, List<NewEntry> entries, int maxEntries, long maxBytes) {
        List<Object> args = args(namespace, 2 + 4 * entries.size());
        args.add(String.valueOf(limit(maxEntries)));
        args.add(String.valueOf(limit(maxBytes)));
        for (NewEntry entry : entries) {
            args.add(entry.key());
            args.add(entry.value());
            args.add(entry.contentType());
            args.add(String.valueOf(entry.ttlMillis()));
        }
        return call(PUT.run(redis, keys(namespace), args)).map(Response::toLong);
    }

    /** The entries of {@code keys}, in order, null where there is none. */
    public Uni<List<Entry>> get(String namespace, List<String> keys) {
        List<Object> args = args(namespace, keys.size());
        args.addAll(keys);
        return call(GET.run(redis, keys(namespace), args)).map(reply -> {
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
        List<Object> args = args(namespace, keys.size());
        args.addAll(keys);
        return call(DELETE.run(redis, keys(namespace), args)).map(Response::toLong);
    }

    /** Deletes every entry of the namespace, a batch per Redis call, and forgets the namespace; answers how many. */
    public Uni<Long> flush(String namespace) {
        return shrink(namespace, 0, -1, 0);
    }

    /**
     * Evicts the least recently used entries until at most {@code maxEntries} and {@code maxBytes} of values remain
     * (0: no such limit); answers how many went.
     */
    public Uni<Long> trim(String namespace, int maxEntries, long maxBytes) {
        return maxEntries <= 0 && maxBytes <= 0 ? Uni.createFrom().item(0L)
                : shrink(namespace, limit(maxEntries), limit(maxBytes), 0);
    }

    private Uni<Long> shrink(String namespace, long keepEntries, long keepBytes, long sofar) {
        List<Object> args = args(namespace, 3);
        args.add(String.valueOf(config.flushBatch()));
        args.add(String.valueOf(keepEntries));
        args.add(String.valueOf(keepBytes));
        return call(SHRINK.run(redis, keys(namespace), args)).map(Response::toLong)
                .flatMap(deleted -> deleted == 0 ? Uni.createFrom().item(sofar)
                        : shrink(namespace, keepEntries, keepBytes, sofar + deleted));
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
        return call(COUNT.run(redis, keys(namespace), args(namespace, 0)))
                .map(reply -> new Counts(reply.get(0).toLong(), reply.get(1).toLong(), reply.get(2).toLong(),
                        reply.get(3).toLong()));
    }

    /**
     * Up to {@code limit} namespaces to count so that the totals stay exact: those whose earliest entry has expired,
     * and, until one pass over the registry has been made, a page of namespaces written before the totals existed.
     */
    public Uni<Set<String>> dueForCounting(int limit) {
        Request due = Request.cmd(Command.ZRANGEBYSCORE).arg(due()).arg("-inf").arg(System.currentTimeMillis())
                .arg("LIMIT").arg(0).arg(limit);
        return call(redis.send(due)).flatMap(reply -> {
            Set<String> names = new HashSet<>();
            reply.forEach(name -> names.add(name.toString()));
            return unadopted().map(page -> {
                names.addAll(page);
                return names;
            });
        });
    }

    private Uni<List<String>> unadopted() {
        return call(redis.send(Request.cmd(Command.HMGET).arg(totals()).arg(ADOPTED).arg(SCAN_CURSOR))).flatMap(state -> {
            if (state.get(0) != null) {
                return Uni.createFrom().item(List.of());
            }
            String cursor = state.get(1) == null ? "0" : state.get(1).toString();
            Request scan = Request.cmd(Command.SSCAN).arg(registry()).arg(cursor).arg("COUNT").arg(100);
            return call(redis.send(scan)).flatMap(reply -> {
                String next = reply.get(0).toString();
                List<String> names = new ArrayList<>();
                reply.get(1).forEach(name -> names.add(name.toString()));
                Request mark = "0".equals(next) ? Request.cmd(Command.HSET).arg(totals()).arg(ADOPTED).arg(1)
                        : Request.cmd(Command.HSET).arg(totals()).arg(SCAN_CURSOR).arg(next);
                return call(redis.send(mark)).map(ignored -> names);
            });
        });
    }

    /** How many namespaces hold entries. */
    public Uni<Long> namespaceCount() {
        return call(redis.send(Request.cmd(Command.SCARD).arg(registry()))).map(Response::toLong);
    }

    /** Keys, bytes, hits and misses per label (a shared namespace, or {@code user:*}): one read of the totals. */
    public Uni<Map<String, Counts>> totalsByLabel() {
        return call(redis.send(Request.cmd(Command.HGETALL).arg(totals()))).map(reply -> {
            Map<String, long[]> fields = new TreeMap<>();
            for (String field : reply.getKeys()) {
                int bar = field.lastIndexOf('|');
                int slot = bar < 0 ? -1 : List.of("keys", "hits", "misses", "bytes").indexOf(field.substring(bar + 1));
                if (slot >= 0) {
                    fields.computeIfAbsent(field.substring(0, bar), l -> new long[4])[slot] = reply.get(field).toLong();
                }
            }
            Map<String, Counts> totals = new TreeMap<>();
            fields.forEach((label, f) -> totals.put(label, new Counts(f[0], f[1], f[2], f[3])));
            return totals;
        });
    }

    /** True when the Redis for cache data answers within the timeout. */
    public Uni<Boolean> reachable() {
        return Uni.createFrom().completionStage(() -> redis.send(Request.cmd(Command.PING)).toCompletionStage())
                .ifNoItem().after(timeout).fail().map(reply -> true).onFailure().recoverWithItem(false);
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
                    boolean full = String.valueOf(failure.getMessage()).startsWith("OOM");
                    long now = System.currentTimeMillis();
                    long logged = lastWarning.get();
                    if (now - logged > 10_000 && lastWarning.compareAndSet(logged, now)) {
                        LOG.warnf(full ? "The Redis for cache data is full (its maxmemory); writes get 503 until "
                                + "entries expire or are flushed: %s"
                                : "Redis did not answer; cache requests get 503 until it does: %s", failure.toString());
                    }
                    return ProblemException.unavailable(full
                            ? "The cache store is full right now; the value was not stored. Try again later."
                            : "The cache store is not reachable right now; try again shortly.");
                });
    }

    /** The keys every script is given: the namespace's indexes, the registry, its value sizes and its counters. */
    private List<String> keys(String namespace) {
        return List.of(lru(namespace), exp(namespace), registry(), sizes(namespace), stats(namespace), totals(), due());
    }

    /** The arguments every script starts with, with room for {@code more}. */
    private List<Object> args(String namespace, int more) {
        List<Object> args = new ArrayList<>(3 + more);
        args.add(entryPrefix(namespace));
        args.add(namespace);
        args.add(indexTtlMillis);
        return args;
    }

    /** A limit as the scripts take it: -1 for none. */
    private static long limit(long limit) {
        return limit > 0 ? limit : -1;
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

    private String sizes(String namespace) {
        return base(namespace) + "sizes";
    }

    private String stats(String namespace) {
        return base(namespace) + "stats";
    }

    private String registry() {
        return config.keyPrefix() + "namespaces";
    }

    private String totals() {
        return config.keyPrefix() + "totals";
    }

    private String due() {
        return config.keyPrefix() + "due";
    }
}
