package io.meridian.platform.admin;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /admin/config}: this service's effective settings (Meridian's own, the HTTP port, where its database,
 * Kafka, Redis and SMTP are, token verification, messaging channels, log levels), with secrets redacted. Admins only;
 * the gateway gathers every service's under {@code GET /api/admin/config}.
 */
@Path("/admin/config")
@Tag(name = "admin")
public class EffectiveConfigResource {

    private static final List<String> PREFIXES = List.of("meridian.", "quarkus.application.", "quarkus.http.port",
            "quarkus.http.limits.", "quarkus.datasource.jdbc.url", "quarkus.datasource.username", "quarkus.datasource.db-kind",
            "kafka.bootstrap.servers", "quarkus.redis.hosts", "quarkus.mailer.", "mp.jwt.verify.", "smallrye.jwt.",
            "mp.messaging.", "quarkus.log.level", "quarkus.log.category.", "quarkus.profile", "quarkus.liquibase.");
    /** A setting is secret when its last segment names one (password, client-secret, encryption.key, api-token). */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|secret|private-key|token|credential|key)$");
    static final String REDACTED = "***";

    private final Config config;

    EffectiveConfigResource(Config config) {
        this.config = config;
    }

    @GET
    @RolesAllowed("admin")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "This service's effective settings, secrets redacted")
    public Map<String, String> effective() {
        Map<String, String> settings = new TreeMap<>();
        for (String name : config.getPropertyNames()) {
            if (PREFIXES.stream().noneMatch(name::startsWith) || name.startsWith("%")) {
                continue;
            }
            config.getOptionalValue(name, String.class).ifPresent(value -> settings.put(name, redact(name, value)));
        }
        return settings;
    }

    static String redact(String name, String value) {
        String last = name.substring(name.lastIndexOf('.') + 1);
        if (SECRET_NAME.matcher(last).matches() || name.toLowerCase(java.util.Locale.ROOT).contains("encryption")) {
            return value.isEmpty() ? "" : REDACTED;
        }
        // Credentials inside URLs (redis://user:pass@host, jdbc:...?password=) never leave the service.
        String cleaned = value.replaceAll("(?i)(password|secret)=[^&;]*", "$1=" + REDACTED);
        int scheme = cleaned.indexOf("://");
        if (scheme > 0 && cleaned.indexOf('@', scheme) > 0) {
            try {
                URI uri = URI.create(cleaned.split(",")[0].trim());
                if (uri.getUserInfo() != null) {
                    cleaned = cleaned.replace(uri.getRawUserInfo() + "@", REDACTED + "@");
                }
            } catch (IllegalArgumentException e) {
                return REDACTED;
            }
        }
        return cleaned;
    }
}
