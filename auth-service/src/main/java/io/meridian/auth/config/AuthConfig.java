package io.meridian.auth.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** auth-service's settings; defaults here, overrides in application.properties and the environment. */
@ConfigMapping(prefix = "meridian.auth")
public interface AuthConfig {

    Tokens tokens();

    Passwords passwords();

    Keys keys();

    Throttle throttle();

    /** The first admin, created at startup when no account has that email (MERIDIAN_AUTH_BOOTSTRAP_ADMIN_EMAIL/_PASSWORD). */
    BootstrapAdmin bootstrapAdmin();

    /** A demo user created at startup; the %dev profile sets it (see the README). */
    DemoUser demoUser();

    interface DemoUser {
        Optional<String> email();

        Optional<String> password();

        @WithDefault("Demo User")
        String displayName();
    }

    interface Tokens {
        @WithDefault("PT15M")
        Duration accessTokenTtl();

        /** A refresh token's life; each use gives a new one. */
        @WithDefault("P14D")
        Duration refreshTokenTtl();

        /** A session's absolute life, however often it is refreshed. */
        @WithDefault("P30D")
        Duration sessionMaxAge();

        @WithDefault("PT30M")
        Duration passwordResetTtl();

        @WithDefault("P2D")
        Duration emailVerificationTtl();

        /** Clock skew tolerated when verifying tokens. */
        @WithDefault("PT30S")
        Duration clockSkew();
    }

    interface Passwords {
        @WithDefault("12")
        int minLength();

        @WithDefault("128")
        int maxLength();

        /** Argon2id memory in KiB (OWASP minimum: 19456). */
        @WithDefault("19456")
        int argon2MemoryKib();

        @WithDefault("2")
        int argon2Iterations();

        @WithDefault("1")
        int argon2Parallelism();
    }

    interface Keys {
        /** Base64 of 32 random bytes; encrypts the private signing keys at rest (MERIDIAN_AUTH_KEY_ENCRYPTION_KEY). */
        String encryptionKey();

        /** How long a signing key signs before a new one takes over. */
        @WithDefault("P30D")
        Duration rotationPeriod();
    }

    /** Machine clients. */
    Clients clients();

    /**
     * Base64 of 32 random bytes shared with email-service alone: one-time tokens travel to it sealed with this key
     * (MERIDIAN_MAIL_LINK_KEY, ADR 0011).
     */
    String mailLinkKey();

    interface Clients {
        /**
         * Scopes a machine client may be granted: those some service checks for machine clients (cache-service's
         * shared namespaces, email-service's sending).
         */
        @WithDefault("cache:read,cache:write,email:send")
        java.util.List<String> grantableScopes();
    }

    interface Throttle {
        /** Failed logins allowed for one account from one address before delays start. */
        @WithDefault("5")
        int accountFreeAttempts();

        /** Failed logins allowed from one address, all accounts together, before delays start. */
        @WithDefault("20")
        int addressFreeAttempts();

        /** The delay after the first failure beyond the free ones; it doubles with each further one. */
        @WithDefault("PT1S")
        Duration firstDelay();

        /** The longest delay. */
        @WithDefault("PT15M")
        Duration maxDelay();

        /** Failures older than this are forgotten. */
        @WithDefault("PT1H")
        Duration window();

        /** Refreshes one session may make per hour (a client refreshes about every access-token lifetime). */
        @WithDefault("60")
        int refreshesPerSessionPerHour();

        /** Tokens one machine client may obtain per hour (client-credentials grants that authenticated). */
        @WithDefault("600")
        int tokensPerClientPerHour();
    }

    interface BootstrapAdmin {
        Optional<String> email();

        Optional<String> password();

        @WithDefault("Administrator")
        String displayName();
    }
}
