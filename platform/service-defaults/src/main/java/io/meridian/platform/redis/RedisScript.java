package io.meridian.platform.redis;

import java.util.List;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * A Lua script that Redis runs atomically, sent by its SHA-1 digest (EVALSHA) and loaded first when Redis does not
 * know it: on first use, and again after Redis restarted or flushed its script cache (NOSCRIPT).
 */
public final class RedisScript {

    private final String source;
    private volatile String sha;

    public RedisScript(String source) {
        this.source = source;
    }

    /**
     * Runs the script with {@code keys} as KEYS and {@code args} as ARGV; an argument may be a String, a number, a
     * {@link Buffer} or a byte array (binary-safe).
     */
    public Future<Response> run(Redis redis, List<String> keys, List<?> args) {
        String digest = sha;
        if (digest == null) {
            return load(redis).compose(loaded -> redis.send(evalsha(loaded, keys, args)));
        }
        return redis.send(evalsha(digest, keys, args)).recover(failure ->
                String.valueOf(failure.getMessage()).startsWith("NOSCRIPT")
                        ? load(redis).compose(loaded -> redis.send(evalsha(loaded, keys, args)))
                        : Future.failedFuture(failure));
    }

    /**
     * Runs the script once per entry of {@code keys} and {@code args} in one pipelined batch (one write and one read
     * for them all); the replies come in the same order. If Redis does not know the script, it is loaded and the
     * batch sent again.
     */
    public Future<List<Response>> runAll(Redis redis, List<List<String>> keys, List<List<?>> args) {
        String digest = sha;
        if (digest == null) {
            return load(redis).compose(loaded -> redis.batch(evalshas(loaded, keys, args)));
        }
        return redis.batch(evalshas(digest, keys, args)).recover(failure ->
                String.valueOf(failure.getMessage()).startsWith("NOSCRIPT")
                        ? load(redis).compose(loaded -> redis.batch(evalshas(loaded, keys, args)))
                        : Future.failedFuture(failure));
    }

    private static List<Request> evalshas(String digest, List<List<String>> keys, List<List<?>> args) {
        List<Request> requests = new java.util.ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            requests.add(evalsha(digest, keys.get(i), args.get(i)));
        }
        return requests;
    }

    private Future<String> load(Redis redis) {
        return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(source)).map(reply -> {
            sha = reply.toString();
            return sha;
        });
    }

    private static Request evalsha(String digest, List<String> keys, List<?> args) {
        Request request = Request.cmd(Command.EVALSHA).arg(digest).arg(keys.size());
        keys.forEach(request::arg);
        for (Object arg : args) {
            switch (arg) {
                case String text -> request.arg(text);
                case Buffer buffer -> request.arg(buffer);
                case byte[] bytes -> request.arg(bytes);
                case Long number -> request.arg(number);
                case Integer number -> request.arg(number.longValue());
                default -> request.arg(String.valueOf(arg));
            }
        }
        return request;
    }
}
