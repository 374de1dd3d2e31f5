package io.meridian.platform.security;

import java.time.Duration;
import java.util.function.ToLongFunction;

import com.github.benmanes.caffeine.cache.Expiry;

/**
 * A Caffeine expiry for what is cached about a verified token: the entry lives until the token's {@code exp} (given
 * in epoch seconds by {@code expiresAt}), never longer, and reads or updates do not extend it.
 */
public final class UntilTokenExpiry<K, V> implements Expiry<K, V> {

    private final ToLongFunction<V> expiresAt;

    public UntilTokenExpiry(ToLongFunction<V> expiresAt) {
        this.expiresAt = expiresAt;
    }

    @Override
    public long expireAfterCreate(K key, V value, long now) {
        long seconds = expiresAt.applyAsLong(value) - System.currentTimeMillis() / 1000;
        return Duration.ofSeconds(Math.max(0, seconds)).toNanos();
    }

    @Override
    public long expireAfterUpdate(K key, V value, long now, long current) {
        return current;
    }

    @Override
    public long expireAfterRead(K key, V value, long now, long current) {
        return current;
    }
}
