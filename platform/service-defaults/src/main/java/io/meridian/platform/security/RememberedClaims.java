package io.meridian.platform.security;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;

/**
 * A verified token whose claims are each read from SmallRye JWT once and then remembered: the token cannot change,
 * and SmallRye looks a claim the MicroProfile {@code Claims} enum does not name ({@code sid}, {@code scope},
 * {@code client_id}) up by throwing and catching an {@code IllegalArgumentException}, which cost several percent of a
 * service's CPU when done on every request (issue 19's profile of cache-service). Everything else is the verified
 * principal's.
 */
final class RememberedClaims extends JWTCallerPrincipal {

    private final JWTCallerPrincipal verified;
    private final ConcurrentMap<String, Optional<Object>> claims = new ConcurrentHashMap<>();

    RememberedClaims(JWTCallerPrincipal verified) {
        super(verified.getRawToken(), "JWT");
        this.verified = verified;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getClaim(String name) {
        return (T) claims.computeIfAbsent(name, n -> Optional.ofNullable(verified.getClaim(n))).orElse(null);
    }

    @Override
    public Set<String> getClaimNames() {
        return verified.getClaimNames();
    }

    @Override
    protected Collection<String> doGetClaimNames() {
        return verified.getClaimNames();
    }

    @Override
    protected Object getClaimValue(String name) {
        return getClaim(name);
    }

    @Override
    public String getName() {
        return verified.getName();
    }

    @Override
    public Set<String> getGroups() {
        return verified.getGroups();
    }

    @Override
    public Set<String> getAudience() {
        return verified.getAudience();
    }

    @Override
    public String toString() {
        return verified.toString();
    }
}
