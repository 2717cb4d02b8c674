// Policy and CRD-schema checks for a generated project's deploy pack, after scripts/validate-deploy.sh
// has rendered it with kustomize and validated the built-in kinds with kubernetes-validate.
//   node scripts/deploy/check-deploy.mjs dockerfile <Dockerfile>
//   node scripts/deploy/check-deploy.mjs manifests <rendered.yaml>...
//   node scripts/deploy/check-deploy.mjs kserve <rendered.yaml>
//   node scripts/deploy/check-deploy.mjs kuberay <ray.io_rayjobs.yaml> <rendered.yaml>
//   node scripts/deploy/check-deploy.mjs kuberay-pods <rendered.yaml>   (prints the RayJobs'
//                                         pod templates as v1 Pods, for kubernetes-validate)
// Exits 1 and lists every problem when a rule is broken.
import fs from "node:fs";
import {
  PrometheusRule,
  ServiceMonitor,
} from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { parseAllDocuments, stringify } from "yaml";
import { crdValidator, kuberayProblems, rayJobPodDocuments } from "./check-kuberay.mjs";

/** Dockerfile rules: every FROM pinned by digest, last USER numeric and not root, a HEALTHCHECK. */
export function dockerfileProblems(text) {
  const problems = [];
  // Join continuation lines so an instruction is one line.
  const lines = text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const froms = lines.filter((l) => /^FROM\s/i.test(l));
  if (froms.length === 0) problems.push("no FROM instruction");
  for (const from of froms) {
    const image = from.split(/\s+/).find((part, i) => i > 0 && !part.startsWith("--"));
    if (!/@sha256:[0-9a-f]{64}$/.test(image ?? ""))
      problems.push(`FROM not pinned by digest: ${from}`);
  }
  const users = lines.filter((l) => /^USER\s/i.test(l));
  const lastUser = users.at(-1)?.split(/\s+/)[1];
  if (lastUser === undefined) problems.push("no USER instruction: the image would run as root");
  else {
    const [uid, gid] = lastUser.split(":");
    if (!/^\d+$/.test(uid ?? "") || Number(uid) === 0) {
      problems.push(
        `last USER must be a numeric non-root uid (Kubernetes checks runAsNonRoot): ${lastUser}`,
      );
    }
    if (gid !== undefined && (!/^\d+$/.test(gid) || Number(gid) === 0)) {
      problems.push(`last USER group must be a numeric non-root gid: ${lastUser}`);
    }
  }
  if (!lines.some((l) => /^HEALTHCHECK\s+(?!NONE)/i.test(l))) problems.push("no HEALTHCHECK");
  return problems;
}

const crdModels = { "monitoring.coreos.com/v1": { ServiceMonitor, PrometheusRule } };
const builtInGroups = /^(v1|apps\/v1|policy\/v1|autoscaling\/v2)$/;

/** Manifest rules for one rendered overlay, plus CRD schema validation. */
export function manifestProblems(docs) {
  const problems = [];
  const byKind = (kind) => docs.filter((d) => d.kind === kind);
  for (const doc of docs) {
    const where = `${doc.kind}/${doc.metadata?.name}`;
    const Model = crdModels[doc.apiVersion]?.[doc.kind];
    if (Model) {
      try {
        new Model(doc).validate();
      } catch (error) {
        problems.push(`${where} fails its CRD schema: ${error.message}`);
      }
    } else if (!builtInGroups.test(doc.apiVersion)) {
      problems.push(`${where}: no schema to validate ${doc.apiVersion} against`);
    }
  }
  const deployments = byKind("Deployment");
  if (deployments.length !== 1)
    problems.push(`expected one Deployment, found ${deployments.length}`);
  for (const dep of deployments) {
    const pod = dep.spec?.template?.spec ?? {};
    if (pod.securityContext?.runAsNonRoot !== true)
      problems.push("pod securityContext.runAsNonRoot is not true");
    if (pod.securityContext?.seccompProfile?.type !== "RuntimeDefault")
      problems.push("pod seccompProfile is not RuntimeDefault");
    if (pod.automountServiceAccountToken !== false)
      problems.push("the pod mounts a service-account token");
    for (const c of pod.containers ?? []) {
      const sc = c.securityContext ?? {};
      const name = `container ${c.name}`;
      if (sc.allowPrivilegeEscalation !== false)
        problems.push(`${name}: allowPrivilegeEscalation is not false`);
      if (sc.readOnlyRootFilesystem !== true)
        problems.push(`${name}: root file system is writable`);
      if (!sc.capabilities?.drop?.includes("ALL"))
        problems.push(`${name}: capabilities are not dropped`);
      if (c.readinessProbe?.httpGet?.path !== "/v2/health/ready")
        problems.push(`${name}: readiness probe is not /v2/health/ready`);
      if (c.livenessProbe?.httpGet?.path !== "/v2/health/live")
        problems.push(`${name}: liveness probe is not /v2/health/live`);
      if (!c.startupProbe?.httpGet) problems.push(`${name}: no startup probe`);
      if (
        !c.resources?.requests?.cpu ||
        !c.resources?.requests?.memory ||
        !c.resources?.limits?.memory
      ) {
        problems.push(`${name}: cpu/memory requests and a memory limit are required`);
      }
      for (const mount of c.volumeMounts ?? []) {
        const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
        if (!volume?.emptyDir) problems.push(`${name}: ${mount.mountPath} is not an emptyDir`);
      }
      if (!(c.volumeMounts ?? []).some((m) => m.mountPath === "/tmp"))
        problems.push(`${name}: no writable /tmp`);
    }
  }
  for (const kind of [
    "Service",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "ServiceMonitor",
    "PrometheusRule",
    "Namespace",
  ]) {
    if (byKind(kind).length !== 1)
      problems.push(`expected one ${kind}, found ${byKind(kind).length}`);
  }
  for (const hpa of byKind("HorizontalPodAutoscaler")) {
    if (hpa.apiVersion !== "autoscaling/v2")
      problems.push(`HPA is ${hpa.apiVersion}, not autoscaling/v2`);
  }
  for (const ns of byKind("Namespace")) {
    if (ns.metadata?.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted") {
      problems.push(
        `Namespace ${ns.metadata?.name} does not enforce the restricted Pod Security Standard`,
      );
    }
    const others = docs.filter(
      (d) => d.kind !== "Namespace" && d.metadata?.namespace !== ns.metadata?.name,
    );
    for (const d of others)
      problems.push(`${d.kind}/${d.metadata?.name} is not in namespace ${ns.metadata?.name}`);
  }
  return problems;
}

/** The optional KServe InferenceService: a canary, the protocol's probes, the same hardening. */
export function kserveProblems(docs) {
  const problems = [];
  const isvcs = docs.filter(
    (d) => d.apiVersion === "serving.kserve.io/v1beta1" && d.kind === "InferenceService",
  );
  if (isvcs.length !== 1) problems.push("expected exactly one InferenceService");
  // Beside it only its own Namespace, as restricted as prod's (a shortened KServe name lives
  // in a namespace of its own: packages/generator/src/kserve-names.ts).
  for (const other of docs.filter((d) => !isvcs.includes(d))) {
    if (other.apiVersion !== "v1" || other.kind !== "Namespace")
      problems.push(`unexpected ${other.kind} beside the InferenceService`);
    else if (other.metadata?.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted")
      problems.push(`namespace ${other.metadata?.name}: Pod Security is not restricted`);
    else if (isvcs.some((isvc) => isvc.metadata?.namespace !== other.metadata?.name))
      problems.push(`the InferenceService is not in the namespace ${other.metadata?.name}`);
  }
  for (const isvc of isvcs) {
    const predictor = isvc.spec?.predictor ?? {};
    const pct = predictor.canaryTrafficPercent;
    if (!Number.isInteger(pct) || pct < 0 || pct > 100)
      problems.push("canaryTrafficPercent must be 0..100");
    const containers = predictor.containers ?? [];
    if (containers.length !== 1) problems.push("the predictor must run exactly one container");
    for (const c of containers) {
      const sc = c.securityContext ?? {};
      if (sc.runAsNonRoot !== true) problems.push("predictor container: runAsNonRoot is not true");
      if (sc.readOnlyRootFilesystem !== true)
        problems.push("predictor container: root file system is writable");
      if (sc.allowPrivilegeEscalation !== false)
        problems.push("predictor container: allowPrivilegeEscalation is not false");
      if (c.readinessProbe?.httpGet?.path !== "/v2/health/ready")
        problems.push("predictor: readiness probe is not /v2/health/ready");
      if (c.livenessProbe?.httpGet?.path !== "/v2/health/live")
        problems.push("predictor: liveness probe is not /v2/health/live");
    }
  }
  return problems;
}

const modes = ["dockerfile", "manifests", "kserve", "kuberay", "kuberay-pods"];

function main(argv) {
  const [mode, ...args] = argv;
  const files = mode === "kuberay" ? args.slice(1) : args;
  if (!modes.includes(mode) || files.length === 0) {
    console.error(`usage: check-deploy.mjs ${modes.join("|")} [<crd.yaml>] <file>...`);
    return 2;
  }
  const validateRayJob = mode === "kuberay" ? crdValidator(args[0], "v1") : undefined;
  let failed = false;
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    let problems;
    if (mode === "dockerfile") problems = dockerfileProblems(text);
    else {
      const parsed = parseAllDocuments(text);
      const errors = parsed.flatMap((d) => d.errors.map((e) => e.message));
      const docs = parsed.map((d) => d.toJS()).filter(Boolean);
      if (mode === "kuberay-pods" && errors.length === 0) {
        process.stdout.write(
          rayJobPodDocuments(docs)
            .map((pod) => stringify(pod))
            .join("---\n"),
        );
        continue;
      }
      const checks = {
        manifests: manifestProblems,
        kserve: kserveProblems,
        kuberay: (d) => kuberayProblems(d, validateRayJob),
      };
      problems = errors.length > 0 ? errors : checks[mode](docs);
    }
    if (problems.length > 0) {
      failed = true;
      console.error(`${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    } else {
      console.error(`${file}: ${mode} rules passed`);
    }
  }
  return failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
