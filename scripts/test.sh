#!/usr/bin/env bash
# Every test: install + build, lint, typecheck, unit tests, workflow linting, deploy-pack
# validation (kustomize, Kubernetes schemas, hadolint), then the slow e2e
# that generates real projects and runs their own make check with uv, ruff, mypy and pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

pnpm lint
pnpm typecheck
pnpm test
bash scripts/lint-workflows.sh
bash scripts/validate-deploy.sh
bash scripts/install-chromium.sh
bash scripts/install-prometheus.sh  # promtool + Prometheus for the monitoring e2e
pnpm test:e2e
pnpm bench --quick
