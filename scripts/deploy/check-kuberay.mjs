// deploy/kuberay's checks, for check-deploy.mjs: every RayJob against KubeRay's own CRD schema
// (ray.io_rayjobs.yaml from the ray-operator Go module, which validate-deploy.sh downloads), the
// RayJob settings a batch run needs, and the hardening rules on every pod it starts (head,
// workers, submitter) and on the CronJob's.
import fs from "node:fs";
import { Ajv } from "ajv";
import { parseAllDocuments } from "yaml";

/**
 * The openAPIV3Schema of `version` in a CRD file, closed the way `kubectl apply` with strict
 * field validation is: an object that lists its properties refuses any other (a misspelled
 * field), unless the schema says x-kubernetes-preserve-unknown-fields or additionalProperties.
 * CEL rules (x-kubernetes-validations) are not evaluated here.
 */
export function crdSchema(crdPath, version) {
  const crd = parseAllDocuments(fs.readFileSync(crdPath, "utf8"))
    .map((d) => d.toJS())
    .find((d) => d?.kind === "CustomResourceDefinition");
  const schema = crd?.spec?.versions?.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  if (!schema) throw new Error(`${crdPath} has no openAPIV3Schema for ${version}`);
  return closed(schema);
}

/** A copy of an OpenAPI v3 schema node with each listed-properties object closed. */
function closed(node) {
  if (node === null || typeof node !== "object") return node;
  const out = { ...node };
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([field, sub]) => [field, closed(sub)]),
    );
  }
  if (out.items) out.items = closed(out.items);
  if (typeof out.additionalProperties === "object")
    out.additionalProperties = closed(out.additionalProperties);
  for (const key of ["allOf", "anyOf", "oneOf"]) if (out[key]) out[key] = out[key].map(closed);
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    out["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** The Ajv validator of a CRD version; errors name the JSON path of each finding. */
export function crdValidator(crdPath, version) {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(crdSchema(crdPath, version));
  return (doc) =>
    validate(doc)
      ? []
      : validate.errors.map((e) => {
          const extra = e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : "";
          return `${e.instancePath || "/"} ${e.message}${extra}`;
        });
}

/** The pods a RayJob starts: [label, PodTemplateSpec]. */
export function rayJobPods(job) {
  const cluster = job.spec?.rayClusterSpec ?? {};
  const pods = [["head", cluster.headGroupSpec?.template]];
  for (const group of cluster.workerGroupSpecs ?? [])
    pods.push([`worker group ${group.groupName}`, group.template]);
  pods.push(["submitter", job.spec?.submitterPodTemplate]);
  return pods;
}

/** The restricted Pod Security profile and our own rules, on one pod template. */
export function podProblems(where, template) {
  const problems = [];
  const pod = template?.spec;
  if (!pod) return [`${where}: no pod template`];
  const psc = pod.securityContext ?? {};
  if (pod.automountServiceAccountToken !== false)
    problems.push(`${where}: the pod mounts a service-account token`);
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const sc = c.securityContext ?? {};
    const name = `${where}, container ${c.name}`;
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true)
      problems.push(`${name}: runAsNonRoot is not true`);
    const uid = sc.runAsUser ?? psc.runAsUser;
    if (!Number.isInteger(uid) || uid === 0)
      problems.push(`${name}: runAsUser is not a numeric non-root uid`);
    if ((sc.seccompProfile ?? psc.seccompProfile)?.type !== "RuntimeDefault")
      problems.push(`${name}: seccompProfile is not RuntimeDefault`);
    if (sc.allowPrivilegeEscalation !== false)
      problems.push(`${name}: allowPrivilegeEscalation is not false`);
    if (sc.privileged === true) problems.push(`${name}: privileged`);
    if (!sc.capabilities?.drop?.includes("ALL"))
      problems.push(`${name}: capabilities are not dropped`);
    if ((sc.capabilities?.add ?? []).length > 0) problems.push(`${name}: adds capabilities`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${name}: root file system is writable`);
    const { requests = {}, limits = {} } = c.resources ?? {};
    if (!requests.cpu || !requests.memory || !limits.cpu || !limits.memory)
      problems.push(`${name}: cpu and memory requests and limits are required`);
    // The placeholder `make` replaces with IMAGE (which must be by digest), or a digest.
    if (!/(^[a-z0-9-]+:unset|@sha256:[0-9a-f]{64})$/.test(c.image ?? ""))
      problems.push(`${name}: image ${c.image} is neither the :unset placeholder nor by digest`);
    for (const mount of c.volumeMounts ?? []) {
      const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
      if (!volume?.emptyDir && !(volume?.configMap && mount.readOnly === true))
        problems.push(`${name}: ${mount.mountPath} is neither an emptyDir nor a read-only config`);
    }
    if (!(c.volumeMounts ?? []).some((m) => m.mountPath === "/tmp"))
      problems.push(`${name}: no writable /tmp`);
  }
  return problems;
}

/** KubeRay's RayJob name limit (MaxRayJobNameLength), less `make`'s -YYYYmmdd-HHMMSS suffix. */
const maxRayJobName = 47 - 16;

/** Everything deploy/kuberay renders to. `validate` is the RayJob CRD's validator. */
export function kuberayProblems(docs, validate) {
  const problems = [];
  const jobs = docs.filter((d) => d.apiVersion === "ray.io/v1" && d.kind === "RayJob");
  const cronJobs = docs.filter((d) => d.apiVersion === "batch/v1" && d.kind === "CronJob");
  const namespaces = docs.filter((d) => d.apiVersion === "v1" && d.kind === "Namespace");
  for (const d of docs.filter((d) => ![...jobs, ...cronJobs, ...namespaces].includes(d)))
    problems.push(`unexpected ${d.apiVersion} ${d.kind} in deploy/kuberay`);
  const components = jobs.map((j) => j.metadata?.labels?.["app.kubernetes.io/component"]);
  for (const wanted of ["batch-score", "tune"]) {
    if (!components.includes(wanted)) problems.push(`no RayJob labelled component=${wanted}`);
  }
  if (cronJobs.length !== 1) problems.push(`expected one CronJob, found ${cronJobs.length}`);
  if (namespaces.length !== 1) problems.push(`expected one Namespace, found ${namespaces.length}`);
  for (const ns of namespaces) {
    if (ns.metadata?.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted")
      problems.push(`Namespace ${ns.metadata?.name}: Pod Security is not restricted`);
    for (const d of docs.filter((d) => d !== ns && d.metadata?.namespace !== ns.metadata?.name))
      problems.push(`${d.kind}/${d.metadata?.name} is not in namespace ${ns.metadata?.name}`);
  }
  for (const job of jobs) {
    const where = `RayJob/${job.metadata?.name}`;
    for (const finding of validate(job))
      problems.push(`${where} fails the KubeRay CRD schema: ${finding}`);
    const spec = job.spec ?? {};
    if ((job.metadata?.name ?? "").length > maxRayJobName)
      problems.push(`${where}: the name leaves no room for a run suffix (${maxRayJobName} max)`);
    if (spec.shutdownAfterJobFinishes !== true)
      problems.push(`${where}: shutdownAfterJobFinishes is not true (the cluster would stay)`);
    if (!Number.isInteger(spec.ttlSecondsAfterFinished))
      problems.push(`${where}: no ttlSecondsAfterFinished`);
    if (!Number.isInteger(spec.activeDeadlineSeconds) || spec.activeDeadlineSeconds <= 0)
      problems.push(`${where}: no activeDeadlineSeconds`);
    if (!Number.isInteger(spec.backoffLimit)) problems.push(`${where}: no backoffLimit`);
    if (!/^python -m [a-z_][a-z0-9_]*\.jobs\.[a-z_]+ .*--engine ray\b/.test(spec.entrypoint ?? ""))
      problems.push(`${where}: the entrypoint does not run a job module with --engine ray`);
    if ((spec.submissionMode ?? "K8sJobMode") === "K8sJobMode" && !spec.submitterPodTemplate)
      problems.push(`${where}: no submitterPodTemplate (KubeRay's default one is not hardened)`);
    for (const [label, template] of rayJobPods(job)) {
      if (label === "submitter" && !template) continue;
      problems.push(...podProblems(`${where} ${label}`, template));
    }
  }
  for (const cron of cronJobs) {
    const where = `CronJob/${cron.metadata?.name}`;
    const jobSpec = cron.spec?.jobTemplate?.spec ?? {};
    if (cron.spec?.concurrencyPolicy !== "Forbid")
      problems.push(`${where}: concurrencyPolicy is not Forbid (runs could overlap)`);
    for (const field of ["backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"]) {
      if (!Number.isInteger(jobSpec[field])) problems.push(`${where}: no job ${field}`);
    }
    problems.push(...podProblems(where, jobSpec.template));
  }
  return problems;
}

/**
 * The RayJobs' pod templates as v1 Pods, so kubernetes-validate --strict checks them against
 * the Kubernetes schema itself (the CRD embeds a copy of PodTemplateSpec's).
 */
export function rayJobPodDocuments(docs) {
  const pods = [];
  for (const job of docs.filter((d) => d.apiVersion === "ray.io/v1" && d.kind === "RayJob")) {
    for (const [label, template] of rayJobPods(job)) {
      if (!template) continue;
      pods.push({
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          ...template.metadata,
          name: `${job.metadata?.name}-${label.replace(/\W+/g, "-")}`,
        },
        spec: template.spec,
      });
    }
  }
  return pods;
}
