package io.meridian.platform.cache;

import java.net.URI;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.MeterRegistry;

/** The {@link CacheClient} of a service that injects one, pointed at cache-service by {@code CACHE_SERVICE_URL}. */
@ApplicationScoped
public class CacheClients {

    @Produces
    @Singleton
    CacheClient cacheClient(@ConfigProperty(name = "meridian.cache-client.url") URI url,
            @ConfigProperty(name = "meridian.cache-client.connect-timeout", defaultValue = "PT0.2S") Duration connect,
            @ConfigProperty(name = "meridian.cache-client.read-timeout", defaultValue = "PT0.5S") Duration read,
            MeterRegistry registry) {
        return new CacheClient(url, connect, read, registry);
    }
}
