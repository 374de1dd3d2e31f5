package io.meridian.gateway;

import org.eclipse.microprofile.config.ConfigProvider;

/** The gateway's management interface in the tests (probes, metrics, its own OpenAPI document). */
final class Management {

    private Management() {
    }

    static String url(String path) {
        return "http://localhost:" + ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class) + path;
    }
}
