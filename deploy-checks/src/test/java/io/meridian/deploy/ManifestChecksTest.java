package io.meridian.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * k8s/checks/check.mjs on the committed manifests and workflows: every overlay renders with kubectl kustomize, every
 * object validates against the Kubernetes schemas (kubernetes-models; prometheus-operator's for monitoring), the
 * policies hold (three probes, requests and limits, non-root, read-only root filesystem, HPA, PDB, network policies,
 * one TLS ingress to the gateway, a DLQ for every topic, no secret value in base/), and actionlint finds nothing.
 */
class ManifestChecksTest {

    private static final Path CHECKS = Repository.K8S.resolve("checks");

    @Test
    void overlaysRenderValidateAndKeepThePoliciesAndTheWorkflowsPassActionlint() throws Exception {
        Path installed = CHECKS.resolve("node_modules/.package-lock.json");
        if (!Files.exists(installed)
                || Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(CHECKS.resolve("package-lock.json"))) < 0) {
            Repository.run(CHECKS, List.of("npm", "ci", "--no-audit", "--no-fund"), 600);
        }
        String report = Repository.run(CHECKS, List.of("node", "check.mjs"), 300);
        System.out.println(report);
        assertThat(report).contains("Deployment checks passed").contains("overlays (dev, prod)");
    }
}
