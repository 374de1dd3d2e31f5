package io.meridian.platform.security;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;

/**
 * Refuses access tokens whose session auth-service has revoked (logout, password change, role removal, reuse of a
 * refresh token), by looking the token's {@code sid} up in the Redis deny-list. A token stops working at once
 * instead of when it expires. If Redis does not answer within the timeout the token is accepted (fail open: the
 * exposure is bounded by the 15-minute token life), logged and counted in {@code meridian_security_deny_list_unavailable_total}.
 */
@ApplicationScoped
public class RevokedSessionCheck implements SecurityIdentityAugmentor {

    private static final Logger LOG = Logger.getLogger(RevokedSessionCheck.class);

    private final ReactiveRedisDataSource redis;
    private final boolean enabled;
    private final Duration timeout;
    private final Counter unavailable;

    RevokedSessionCheck(ReactiveRedisDataSource redis, MeterRegistry registry,
            @ConfigProperty(name = "meridian.security.deny-list.enabled") boolean enabled,
            @ConfigProperty(name = "meridian.security.deny-list.timeout") Duration timeout) {
        this.redis = redis;
        this.enabled = enabled;
        this.timeout = timeout;
        this.unavailable = Counter.builder("meridian.security.deny-list.unavailable")
                .description("Tokens accepted without a deny-list check because Redis did not answer").register(registry);
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!enabled || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        String sid = token.getClaim("sid");
        if (sid == null) {
            return Uni.createFrom().item(identity); // machine clients have no session
        }
        return redis.key().exists(RevokedSessionKeys.key(sid))
                .ifNoItem().after(timeout).fail()
                .onFailure().recoverWithItem(failure -> {
                    unavailable.increment();
                    LOG.warnf("Deny-list unavailable, accepting session %s unchecked: %s", sid, failure.toString());
                    return false;
                })
                .map(revoked -> {
                    if (revoked) {
                        throw new AuthenticationFailedException("the token's session was revoked");
                    }
                    return identity;
                });
    }
}
