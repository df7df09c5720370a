// Validates rendered Kubernetes manifests (multi-document YAML files) against the Kubernetes
// OpenAPI schemas shipped by kubernetes-models, and the Prometheus Operator's CRD schemas for
// ServiceMonitor. Catches what `helm lint` cannot: wrong types, missing required fields, bad
// enum values, in the output that would actually reach the API server.
//
//   node .ci/validate-manifests.mjs rendered.yaml [more.yaml ...]
//
// Limitation: Kubernetes schemas allow unknown fields (the API server drops them), so a
// misspelt optional field passes; the chart's own values.schema.json guards the inputs.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// apiVersion -> the module exporting its kinds as classes.
function modulePath(apiVersion) {
  if (apiVersion === "monitoring.coreos.com/v1") {
    return "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
  }
  return `kubernetes-models/${apiVersion}`;
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
      checked++;
    } catch (e) {
      const details = e.errors ? e.errors.map((x) => `${x.instancePath} ${x.message}`).join("; ") : e.message;
      failures.push(`${where}: ${details}`);
    }
  }
}

for (const f of failures) console.error(`INVALID ${f}`);
console.log(`validate-manifests: ${checked} valid, ${failures.length} invalid`);
process.exit(failures.length === 0 && checked > 0 ? 0 : 1);
