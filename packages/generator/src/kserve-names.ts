import { createHash } from "node:crypto";

/**
 * The InferenceService name and namespace of `deploy/kserve`, derived from the project name.
 *
 * KServe and Knative build more names out of these, and refuse none of them up front: the KServe
 * webhook checks the name's characters only, not its length (`validateInferenceServiceName` in
 * kserve/kserve pkg/apis/serving/v1beta1/inference_service_validation.go), so a name that is too
 * long fails later, in the controller, once applied to a cluster. For `deploy/kserve` (no
 * `serving.kserve.io/deploymentMode` annotation, so either mode, as the cluster's default says; a
 * predictor only; `canaryTrafficPercent` set) with name N in namespace NS:
 *
 * - Both modes: the predictor is `N-predictor` (`PredictorServiceName`, kserve/kserve
 *   pkg/constants/constants.go), a Knative Service or a Deployment + Service: a DNS-1035 label
 *   (`ValidateObjectMetadata`, knative/pkg apis/metadata_validation.go), so N ≤ 53.
 * - Serverless: with a canary KServe tags the previous revision `prev` (kserve/kserve
 *   pkg/controller/v1beta1/inferenceservice/reconcilers/knative/ksvc_reconciler.go), and Knative
 *   names a placeholder Service and a host label after the tag, `prev-N-predictor` (its
 *   DefaultTagTemplate `{{.Tag}}-{{.Name}}`; `MakeK8sPlaceholderService` in knative/serving
 *   pkg/reconciler/route/resources/service.go), so N ≤ 48. Revisions (`N-predictor-00001`) and
 *   their private services are safe: Knative shortens those with a hash (`kmeta.ChildName`).
 * - RawDeployment (called "Standard" in current KServe): the ingress hosts come from KServe's
 *   DefaultDomainTemplate `{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}`
 *   (pkg/apis/serving/v1beta1/configmap.go), checked by `GenerateDomainName`
 *   (pkg/controller/v1beta1/inferenceservice/reconcilers/ingress/domain.go) as a domain name whose
 *   labels must fit in 63. The predictor host's first label is `N-predictor-NS`, so
 *   N + NS ≤ 52 — this is the binding limit, and it fails the reconcile even with ingress
 *   creation disabled (https://github.com/kserve/kserve/issues/4807,
 *   https://github.com/opendatahub-io/odh-dashboard/issues/3062).
 *
 * With our namespace `<project>-prod`, the project name itself fits every rule up to 23
 * characters (2 × 23 + 16 = 62). We do not refuse longer project names, as a stricter name rule
 * would: KServe is optional (the plain Deployment in deploy/k8s serves any valid name), and the
 * raw-mode limit is a property of the cluster's domain template, not of the project. Instead,
 * like Knative's own `kmeta.ChildName` and Helm's `trunc 63`, a longer project's KServe objects
 * get a shortened name, derived deterministically (a readable prefix plus a hash of the whole
 * name, so two projects that share a prefix do not collide), and live in the namespace
 * `<short>-prod`, which the KServe kustomization creates: shortening the name alone cannot help
 * once the namespace itself leaves no room (`<55 characters>-prod` is already 60).
 */
export interface KserveNames {
  /** metadata.name of the InferenceService. */
  readonly name: string;
  /** The namespace deploy/kserve deploys into (and creates). */
  readonly namespace: string;
}

const dnsLabelMax = 63;
/** KServe's predictor suffix, and the suffix our kustomization gives the namespace. */
const predictorSuffix = "-predictor";
const namespaceSuffix = "-prod";
/** The longest Knative traffic tag KServe sets for a canary ("prev"; "latest" is shorter). */
const canaryTagPrefix = "prev-";
/**
 * The longest InferenceService name that fits, given that it also names the namespace:
 * `<n>-predictor-<n>-prod` ≤ 63 → n ≤ 23.
 */
export const kserveNameMax = Math.floor(
  (dnsLabelMax - predictorSuffix.length - 1 - namespaceSuffix.length) / 2,
);
const hashLength = 8;

/** The labels KServe and Knative derive from an InferenceService name, for the tests to check. */
export function kserveDerivedLabels(names: KserveNames): string[] {
  const predictor = `${names.name}${predictorSuffix}`;
  return [
    names.name,
    names.namespace,
    predictor, // Knative Service, or Deployment + Service + HPA in raw mode
    `${canaryTagPrefix}${predictor}`, // serverless canary: tag placeholder Service and host
    `${names.name}-${names.namespace}`, // raw mode: top-level ingress host
    `${predictor}-${names.namespace}`, // raw mode: predictor ingress host
  ];
}

/** Deterministic: the same project name always gives the same KServe names. */
export function kserveNames(projectName: string): KserveNames {
  const name = projectName.length <= kserveNameMax ? projectName : shorten(projectName);
  return { name, namespace: `${name}${namespaceSuffix}` };
}

function shorten(projectName: string): string {
  const hash = createHash("sha256").update(projectName).digest("hex").slice(0, hashLength);
  // The prefix keeps the project's leading letter (a DNS-1035 label starts with one).
  const prefix = projectName.slice(0, kserveNameMax - hashLength - 1).replace(/-+$/, "");
  return `${prefix}-${hash}`;
}
