package io.meridian.platform.observability;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.MDC;

import io.quarkus.security.spi.runtime.AuthenticationSuccessEvent;

/**
 * Puts the caller's id (the verified token's subject) into the logging MDC as {@code userId} once the request is
 * authenticated, so every later log line about the request says whose it was. Nothing unverified is logged.
 */
@ApplicationScoped
public class UserIdInLogs {

    public static final String MDC_KEY = "userId";

    void onAuthenticated(@Observes AuthenticationSuccessEvent event) {
        if (event.getSecurityIdentity() != null && !event.getSecurityIdentity().isAnonymous()) {
            MDC.put(MDC_KEY, event.getSecurityIdentity().getPrincipal().getName());
        }
    }
}
