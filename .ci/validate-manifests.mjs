// Validates rendered Kubernetes manifests (multi-document YAML files) twice:
//   1. against the Kubernetes OpenAPI schemas shipped by kubernetes-models (and the Prometheus
//      Operator's CRD schemas for ServiceMonitor): wrong types, missing required fields, bad enum
//      values;
//   2. strictly: every field must exist in the API. Kubernetes' own schemas allow unknown fields
//      (the API server drops them, at most with a warning), so a typo such as `periodSecond`
//      would pass step 1 and silently do nothing. The field lists come from the official
//      JavaScript client's models (@kubernetes/client-node, attributeTypeMap per type); for the
//      ServiceMonitor CRD, from the list in SERVICE_MONITOR below.
//
//   node .ci/validate-manifests.mjs rendered.yaml [more.yaml ...]
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import * as k8s from "@kubernetes/client-node";

// apiVersion -> the module exporting its kinds as classes.
function modulePath(apiVersion) {
  if (apiVersion === "monitoring.coreos.com/v1") {
    return "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
  }
  return `kubernetes-models/${apiVersion}`;
}

// The ServiceMonitor fields this chart may render (monitoring.coreos.com/v1 CRD, prometheus-operator
// v0.80): a tree of allowed keys; true = any value below.
const SERVICE_MONITOR = {
  apiVersion: true, kind: true, metadata: "V1ObjectMeta",
  spec: {
    selector: "V1LabelSelector", namespaceSelector: true, jobLabel: true, targetLabels: true,
    podTargetLabels: true, sampleLimit: true, attachMetadata: true,
    endpoints: [{
      port: true, targetPort: true, path: true, scheme: true, params: true, interval: true,
      scrapeTimeout: true, honorLabels: true, honorTimestamps: true, trackTimestampsStaleness: true,
      metricRelabelings: true, relabelings: true, tlsConfig: true, bearerTokenFile: true,
      bearerTokenSecret: true, authorization: true, basicAuth: true, oauth2: true, proxyUrl: true,
      followRedirects: true, enableHttp2: true, filterRunning: true,
    }],
  },
};

// The client model for a top-level object: apps/v1 Deployment -> V1Deployment.
function modelName(apiVersion, kind) {
  const version = apiVersion.split("/").pop();
  return version.charAt(0).toUpperCase() + version.slice(1) + kind;
}

// Unknown fields in `value` typed `type` (a client model name or a type expression).
function unknownFields(value, type, path, out) {
  if (value == null || type === "any" || type === "object" || type === true) return;
  if (typeof type === "string") {
    const array = /^Array<(.+)>$/.exec(type);
    if (array) {
      if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, array[1], `${path}[${i}]`, out));
      return;
    }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) {
      if (typeof value === "object") for (const [k, v] of Object.entries(value)) unknownFields(v, map[1], `${path}.${k}`, out);
      return;
    }
    const model = k8s[type];
    if (typeof model?.getAttributeTypeMap !== "function" || typeof value !== "object") return; // a scalar type
    const fields = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
    for (const [k, v] of Object.entries(value)) {
      if (!fields.has(k)) out.push(`${path}.${k}: unknown field (not in ${type})`);
      else unknownFields(v, fields.get(k), `${path}.${k}`, out);
    }
    return;
  }
  if (Array.isArray(type)) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, type[0], `${path}[${i}]`, out));
    return;
  }
  if (typeof value !== "object") return;
  for (const [k, v] of Object.entries(value)) {
    if (!(k in type)) out.push(`${path}.${k}: unknown field`);
    else unknownFields(v, type[k], `${path}.${k}`, out);
  }
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate-manifests.mjs FILE...");
  process.exit(2);
}

let checked = 0;
const failures = [];
for (const file of files) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length > 0) {
      failures.push(`${file}: YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const manifest = doc.toJS();
    if (manifest == null) continue; // an empty document between two "---"
    const where = `${file}: ${manifest.kind}/${manifest.metadata?.name}`;
    let models;
    try {
      models = await import(modulePath(manifest.apiVersion));
    } catch {
      failures.push(`${where}: no schema for apiVersion ${manifest.apiVersion}`);
      continue;
    }
    const Model = models[manifest.kind];
    if (typeof Model !== "function") {
      failures.push(`${where}: ${manifest.apiVersion} has no kind ${manifest.kind}`);
      continue;
    }
    try {
      new Model(manifest).validate();
    } catch (e) {
      const details = e.errors ? e.errors.map((x) => `${x.instancePath} ${x.message}`).join("; ") : e.message;
      failures.push(`${where}: ${details}`);
      continue;
    }
    const strict = manifest.kind === "ServiceMonitor" ? SERVICE_MONITOR : modelName(manifest.apiVersion, manifest.kind);
    if (typeof strict === "string" && typeof k8s[strict]?.getAttributeTypeMap !== "function") {
      failures.push(`${where}: no field list for ${strict}: cannot validate strictly`);
      continue;
    }
    const unknown = [];
    unknownFields(manifest, strict, "", unknown);
    if (unknown.length > 0) {
      failures.push(`${where}: ${unknown.join("; ")}`);
      continue;
    }
    checked++;
  }
}

for (const f of failures) console.error(`INVALID ${f}`);
console.log(`validate-manifests: ${checked} valid, ${failures.length} invalid`);
process.exit(failures.length === 0 && checked > 0 ? 0 : 1);
