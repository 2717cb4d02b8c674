#!/usr/bin/env bash
# Lint every GitHub Actions workflow we ship: the monorepo's own (.github/) and the generated
# project's (templates/service/template/_github/, renamed to .github/ at generation time).
#   actionlint  — syntax, expressions, action inputs, and shellcheck on run: blocks when
#                 the shellcheck binary is on PATH (skipped otherwise)
#   zizmor      — security audits (permissions, credentials, injection, pinning, dependabot),
#                 offline only
#   check-jsonschema — GitLab pipelines against GitLab's CI schema
#   renovate-config-validator — the GitLab projects' Renovate config, by Renovate itself
# Installs either tool if it is missing. Exits non-zero on any finding.
#   bash scripts/lint-workflows.sh [repo-dir...]   with repos, lints only each repo's .github/,
#                                                   .gitlab-ci.yml and Renovate config (the e2e
#                                                   passes repos ds-service wrote); the shipped
#                                                   workflows and the self-test run without them
set -euo pipefail

ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
CHECK_JSONSCHEMA_VERSION="${CHECK_JSONSCHEMA_VERSION:-0.39.0}"
ZIZMOR_VERSION="${ZIZMOR_VERSION:-1.32.0}"
# Renovate 40 and later need Node 22; 39 is the last major that runs on the Node 20 we support.
RENOVATE_VERSION="${RENOVATE_VERSION:-39.264.0}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mono_dir=".github"
template_dir="packages/config-ci/template/_github"

log() { printf '==> %s\n' "$*" >&2; }

ensure_actionlint() {
  if command -v go >/dev/null 2>&1; then
    local gobin
    gobin="$(go env GOBIN)"
    if [[ -z "$gobin" ]]; then
      gobin="$(go env GOPATH | cut -d: -f1)/bin"
    fi
    PATH="$gobin:$PATH"
  fi
  if command -v actionlint >/dev/null 2>&1; then
    return
  fi
  if ! command -v go >/dev/null 2>&1; then
    log "actionlint is missing and Go is not installed to build it"
    exit 1
  fi
  log "installing actionlint ${ACTIONLINT_VERSION}"
  go install "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"
}

ensure_zizmor() {
  if command -v uv >/dev/null 2>&1; then
    PATH="$(uv tool dir --bin):$PATH"
  fi
  if command -v python3 >/dev/null 2>&1; then
    PATH="$(python3 -m site --user-base)/bin:$PATH"
  fi
  if command -v zizmor >/dev/null 2>&1; then
    return
  fi
  log "installing zizmor ${ZIZMOR_VERSION}"
  if command -v uv >/dev/null 2>&1; then
    uv tool install --quiet "zizmor==${ZIZMOR_VERSION}"
  elif command -v pipx >/dev/null 2>&1; then
    pipx install "zizmor==${ZIZMOR_VERSION}"
    PATH="$(pipx environment --value PIPX_BIN_DIR):$PATH"
  else
    python3 -m pip install --user --quiet "zizmor==${ZIZMOR_VERSION}"
  fi
}

# GitLab has no offline linter: the pipeline is validated against GitLab's CI schema, which
# check-jsonschema (PyPI) ships as a vendored built-in.
ensure_check_jsonschema() {
  if command -v check-jsonschema >/dev/null 2>&1; then
    return
  fi
  log "installing check-jsonschema ${CHECK_JSONSCHEMA_VERSION}"
  if command -v uv >/dev/null 2>&1; then
    uv tool install --quiet "check-jsonschema==${CHECK_JSONSCHEMA_VERSION}"
  else
    python3 -m pip install --user --quiet "check-jsonschema==${CHECK_JSONSCHEMA_VERSION}"
  fi
}

# Renovate's own validator knows every option (the JSON schema accepts unknown keys). It is a
# large package, installed once per version into the user cache.
ensure_renovate_validator() {
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/ds-service/renovate-${RENOVATE_VERSION}"
  renovate_validator="$dir/node_modules/.bin/renovate-config-validator"
  if [[ -x "$renovate_validator" ]]; then
    return
  fi
  log "installing renovate ${RENOVATE_VERSION} (for renovate-config-validator)"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "renovate@${RENOVATE_VERSION}" >/dev/null
}

# Quiet on success; on a finding, the validator's report (from its one run) goes to stderr.
validate_renovate() {
  log "renovate-config-validator --strict: $1"
  local report
  if ! report="$("$renovate_validator" --strict "$1" 2>&1)"; then
    printf '%s\n' "$report" >&2
    return 1
  fi
}

# Each repo's CI as ds-service wrote it, laid out under `.github/` as the tools expect.
lint_repos() {
  local repo copy pipeline
  for repo in "$@"; do
    if [[ -f "$repo/.gitlab-ci.yml" ]]; then
      log "check-jsonschema vendor.gitlab-ci: $repo/.gitlab-ci.yml"
      check-jsonschema --builtin-schema vendor.gitlab-ci "$repo/.gitlab-ci.yml" || status=1
    fi
    # `add ci --ci gitlab --beside` writes its jobs into a file the pipeline includes.
    for pipeline in "$repo"/.gitlab/*.yml; do
      [[ -f "$pipeline" ]] || continue
      log "check-jsonschema vendor.gitlab-ci: $pipeline"
      check-jsonschema --builtin-schema vendor.gitlab-ci "$pipeline" || status=1
    done
    if [[ -f "$repo/.gitlab/renovate.json" ]]; then
      validate_renovate "$repo/.gitlab/renovate.json" || status=1
    fi
    [[ -d "$repo/.github" ]] || continue
    copy="$(mktemp -d)"
    cp -R "$repo/.github" "$copy/.github"
    log "actionlint: $repo/.github"
    (cd "$copy" && git init -q . && actionlint -no-color) || status=1
    log "zizmor --offline: $repo/.github"
    (cd "$copy" && zizmor --offline --no-progress --strict-collection --persona pedantic .github) || status=1
    rm -rf "$copy"
  done
}

ensure_actionlint
ensure_zizmor
ensure_check_jsonschema
ensure_renovate_validator
export PATH
hash -r

log "$(actionlint --version | head -n1 | sed 's/^/actionlint /')"
log "$(zizmor --version)"
if ! command -v shellcheck >/dev/null 2>&1; then
  log "shellcheck not found: actionlint will not check run: blocks"
fi

status=0

if (($# > 0)); then
  lint_repos "$@"
  if ((status != 0)); then log "workflow lint FAILED"; else log "workflow lint passed"; fi
  exit "$status"
fi

shopt -s nullglob
mono_workflows=("$mono_dir"/workflows/*.yml "$mono_dir"/workflows/*.yaml)
template_workflows=("$template_dir"/workflows/*.yml "$template_dir"/workflows/*.yaml)
shopt -u nullglob
if ((${#mono_workflows[@]} == 0 || ${#template_workflows[@]} == 0)); then
  log "no workflows found under $mono_dir or $template_dir"
  exit 1
fi

# Both tools find workflows, reusable-workflow calls (`uses: ./.github/...`) and dependabot.yml
# by their place under a `.github/` directory, so the template's `_github/` is linted from a
# copy laid out as the generated project has it.
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -R "$template_dir" "$stage/.github"

log "actionlint: ${mono_workflows[*]}"
actionlint -no-color "${mono_workflows[@]}" || status=1
log "actionlint: ${template_workflows[*]} (as .github/)"
(cd "$stage" && git init -q . && actionlint -no-color) || status=1

log "zizmor --offline: $mono_dir"
zizmor --offline --no-progress --strict-collection "$mono_dir" || status=1
log "zizmor --offline: $template_dir (as .github/)"
(cd "$stage" && zizmor --offline --no-progress --strict-collection --persona pedantic .github) || status=1

# Each tool must be able to fail: on a broken copy of the shipped CI workflow (an action pinned
# by tag and no top-level permissions for zizmor, a malformed timeout for actionlint) and of the
# GitLab pipeline (an unknown key), each has to report a finding.
log "self-test: each linter rejects a broken workflow"
broken="$(mktemp -d)"
cp -R "$template_dir" "$broken/.github"
sed -i -e 's|actions/checkout@[0-9a-f]\{40\}|actions/checkout@v7|' -e '/^permissions:/,/^$/d' \
  "$broken/.github/workflows/ci.yml"
if (cd "$broken" && zizmor --offline --no-progress .github/workflows/ci.yml) >/dev/null 2>&1; then
  log "self-test FAILED: zizmor accepted an unpinned action without permissions"
  status=1
fi
sed -i 's/timeout-minutes: 30/timeout-minutes: thirty/' "$broken/.github/workflows/codeql.yml"
if (cd "$broken" && git init -q . && actionlint -no-color .github/workflows/codeql.yml) >/dev/null 2>&1; then
  log "self-test FAILED: actionlint accepted a malformed timeout"
  status=1
fi
sed 's/^  script:/  scriptt:/' packages/config-ci/template/_gitlab-ci.yml >"$broken/gitlab-ci.yml"
if check-jsonschema --builtin-schema vendor.gitlab-ci "$broken/gitlab-ci.yml" >/dev/null 2>&1; then
  log "self-test FAILED: check-jsonschema accepted an unknown GitLab job key"
  status=1
fi
sed 's/"minimumReleaseAge"/"minimumReleaseAgee"/' packages/config-ci/template/_gitlab/renovate.json \
  >"$broken/renovate.json"
if "$renovate_validator" --strict "$broken/renovate.json" >/dev/null 2>&1; then
  log "self-test FAILED: renovate-config-validator accepted an unknown option"
  status=1
fi
rm -rf "$broken"

log "check-jsonschema vendor.gitlab-ci: packages/config-ci/template/_gitlab-ci.yml"
check-jsonschema --builtin-schema vendor.gitlab-ci packages/config-ci/template/_gitlab-ci.yml || status=1
validate_renovate packages/config-ci/template/_gitlab/renovate.json || status=1

if ((status != 0)); then
  log "workflow lint FAILED"
else
  log "workflow lint passed"
fi
exit "$status"
