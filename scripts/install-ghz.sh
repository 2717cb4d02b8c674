#!/usr/bin/env bash
# Installs ghz (https://ghz.sh), the gRPC load generator the serving benchmark runs against the
# protocol's ModelInfer, from the Go module proxy into .tools/bin. Prints the binary's path. A
# pinned version keeps figures comparable between runs.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$repo_root/.tools/bin"
ghz_version="v0.121.0"

if [ -x "$bin_dir/ghz" ]; then
  echo "$bin_dir/ghz"
  exit 0
fi
command -v go >/dev/null || { echo "install-ghz: Go is needed to install ghz (go install)" >&2; exit 1; }
mkdir -p "$bin_dir"
echo "install-ghz: installing ghz $ghz_version" >&2
GOBIN="$bin_dir" GOFLAGS=-mod=mod go install "github.com/bojand/ghz/cmd/ghz@$ghz_version" >&2
echo "$bin_dir/ghz"
