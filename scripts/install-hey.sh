#!/usr/bin/env bash
# Installs hey (https://github.com/rakyll/hey), the HTTP load generator the serving benchmark
# and the generated service's load test use, from the Go module proxy into .tools/bin.
# Prints the binary's path. A pinned version keeps figures comparable between runs.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$repo_root/.tools/bin"
hey_version="v0.1.4"

if [ -x "$bin_dir/hey" ]; then
  echo "$bin_dir/hey"
  exit 0
fi
command -v go >/dev/null || { echo "install-hey: Go is needed to install hey (go install)" >&2; exit 1; }
mkdir -p "$bin_dir"
echo "install-hey: installing hey $hey_version" >&2
GOBIN="$bin_dir" GOFLAGS=-mod=mod go install "github.com/rakyll/hey@$hey_version" >&2
echo "$bin_dir/hey"
