package io.meridian.platform.observability;

import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Tracing is on exactly when an OTLP endpoint is configured ({@code OTEL_EXPORTER_OTLP_ENDPOINT}): this source says
 * {@code quarkus.otel.sdk.disabled=true} otherwise. Its ordinal sits above application.properties and below the
 * environment, so {@code QUARKUS_OTEL_SDK_DISABLED} still decides when set.
 */
public class TracingSwitch implements ConfigSource {

    static final String DISABLED = "quarkus.otel.sdk.disabled";
    static final String ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private final boolean endpointSet;

    public TracingSwitch() {
        this(System.getenv(ENDPOINT_VARIABLE));
    }

    TracingSwitch(String endpoint) {
        this.endpointSet = endpoint != null && !endpoint.isBlank();
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(DISABLED);
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(DISABLED, String.valueOf(!endpointSet));
    }

    @Override
    public String getValue(String propertyName) {
        return DISABLED.equals(propertyName) ? String.valueOf(!endpointSet) : null;
    }

    @Override
    public String getName() {
        return "meridian-tracing-switch";
    }

    @Override
    public int getOrdinal() {
        return 260;
    }
}
