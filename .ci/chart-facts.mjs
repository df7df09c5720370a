// Facts about a rendered chart that schemas cannot check: which port each consumer uses, what
// the Ingress exposes, how the broker reaches the pod.
//
//   node .ci/chart-facts.mjs rendered.yaml broker|nobroker
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const [file, mode] = process.argv.slice(2);
const docs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
const one = (kind) => docs.find((d) => d.kind === kind);
const problems = [];
const expect = (ok, what) => { if (!ok) problems.push(what); };

const deployment = one("Deployment");
const pod = deployment.spec.template.spec;
const parley = pod.containers.find((c) => c.name === "parley");
const ports = Object.fromEntries(parley.ports.map((p) => [p.name, p.containerPort]));
expect(ports.http && ports.admin && ports.http !== ports.admin, `container ports http and admin, distinct: ${JSON.stringify(ports)}`);
for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
  expect(parley[probe]?.httpGet?.port === "admin", `${probe} uses the admin port, not ${parley[probe]?.httpGet?.port}`);
}
const config = one("ConfigMap").data;
expect(config.SERVER_PORT === String(ports.http), `SERVER_PORT ${config.SERVER_PORT} = container port http ${ports.http}`);
expect(config.PARLEY_ADMIN_PORT === String(ports.admin), `PARLEY_ADMIN_PORT ${config.PARLEY_ADMIN_PORT} = container port admin ${ports.admin}`);

const service = docs.find((d) => d.kind === "Service" && d.metadata.name === deployment.metadata.name);
const servicePorts = service.spec.ports.map((p) => `${p.name}->${p.targetPort}`).sort();
expect(JSON.stringify(servicePorts) === JSON.stringify(["admin->admin", "http->http"]), `Service names both ports: ${servicePorts}`);

const ingress = one("Ingress");
if (ingress) {
  const backends = ingress.spec.rules.flatMap((r) => r.http.paths.map((p) => p.backend.service.port.name));
  expect(backends.length > 0 && backends.every((n) => n === "http"), `Ingress routes only to http: ${backends}`);
}
const monitor = one("ServiceMonitor");
if (monitor) {
  expect(monitor.spec.endpoints.every((e) => e.port === "admin"), "ServiceMonitor scrapes the admin port");
}
const policy = docs.find((d) => d.kind === "NetworkPolicy" && d.metadata.name === deployment.metadata.name);
if (policy) {
  const rules = Object.fromEntries(policy.spec.ingress.map((r) => [r.ports.map((p) => p.port).join(","), r.from]));
  expect(Object.keys(rules).sort().join(" ") === "admin http", `NetworkPolicy has one rule per port: ${Object.keys(rules)}`);
}

const env = Object.fromEntries((parley.env ?? []).map((e) => [e.name, e]));
if (mode === "broker") {
  expect(config.PARLEY_BROKER_TYPE === "redis", "PARLEY_BROKER_TYPE=redis in the ConfigMap");
  const ref = env.PARLEY_BROKER_REDIS_URL?.valueFrom?.secretKeyRef;
  expect(ref?.name && ref?.key, "PARLEY_BROKER_REDIS_URL comes from a Secret");
  const secret = docs.find((d) => d.kind === "Secret" && d.metadata.name === ref?.name);
  expect(secret == null || /^rediss?:\/\//.test(secret.stringData?.[ref.key] ?? ""), "the chart's Secret holds a redis URL under the referenced key");
  expect(!JSON.stringify(config).includes("redis://"), "no Redis URL in the ConfigMap");
} else {
  expect(!("PARLEY_BROKER_TYPE" in config) && !env.PARLEY_BROKER_REDIS_URL, "no broker settings without a broker");
  expect(deployment.spec.replicas === 1, "one replica without a broker");
}

for (const p of problems) console.error(`chart-facts: ${file}: ${p}`);
if (problems.length > 0) process.exit(1);
console.log(`chart-facts: ${file}: OK`);
