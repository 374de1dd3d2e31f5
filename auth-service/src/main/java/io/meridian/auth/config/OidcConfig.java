package io.meridian.auth.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * External OpenID Connect providers for sign-in, by name, for example
 * {@code meridian.auth.oidc.providers.google.issuer=https://accounts.google.com}. Endpoints come from the issuer's
 * discovery document unless given.
 */
@ConfigMapping(prefix = "meridian.auth.oidc")
public interface OidcConfig {

    Map<String, Provider> providers();

    /** Whether the cookie that ties a sign-in to its browser is sent only over HTTPS (off for plain-HTTP development). */
    @WithDefault("true")
    boolean secureCookie();

    /** How long a started sign-in may take to come back. */
    @WithDefault("PT10M")
    Duration loginTimeout();

    interface Provider {
        URI issuer();

        String clientId();

        Optional<String> clientSecret();

        /** Where the provider sends the browser back: this service's callback, as the outside world reaches it. */
        URI redirectUri();

        @WithDefault("openid,email,profile")
        List<String> scopes();

        Optional<URI> authorizationEndpoint();

        Optional<URI> tokenEndpoint();

        Optional<URI> jwksUri();
    }
}
