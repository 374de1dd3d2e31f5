package io.meridian.platform.security;

import java.util.UUID;

/**
 * The Redis deny-list of revoked sessions that auth-service writes and the gateway and services read: a key per
 * revoked session id, expiring when the last access token of that session would have.
 */
public final class RevokedSessionKeys {

    public static final String PREFIX = "meridian:revoked-session:";

    private RevokedSessionKeys() {
    }

    public static String key(UUID sessionId) {
        return PREFIX + sessionId;
    }

    public static String key(String sessionId) {
        return PREFIX + sessionId;
    }
}
