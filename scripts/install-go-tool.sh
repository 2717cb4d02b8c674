#!/usr/bin/env bash
# Installs a pinned Go tool from the Go module proxy into .tools/bin and prints its path:
#   install-go-tool.sh hey   -> github.com/rakyll/hey, the HTTP load generator the serving
#                               benchmark and the generated service's load test use
#   install-go-tool.sh ghz   -> github.com/bojand/ghz, the gRPC load generator of the benchmark
# Pinned versions keep figures comparable between runs.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$repo_root/.tools/bin"
tool="${1:?usage: install-go-tool.sh hey|ghz}"
case "$tool" in
  hey) module="github.com/rakyll/hey@v0.1.4" ;;
  ghz) module="github.com/bojand/ghz/cmd/ghz@v0.121.0" ;;
  *) echo "install-go-tool: unknown tool $tool (hey or ghz)" >&2; exit 2 ;;
esac

if [ -x "$bin_dir/$tool" ]; then
  echo "$bin_dir/$tool"
  exit 0
fi
command -v go >/dev/null || { echo "install-go-tool: Go is needed to install $tool (go install)" >&2; exit 1; }
mkdir -p "$bin_dir"
echo "install-go-tool: installing $module" >&2
GOBIN="$bin_dir" GOFLAGS=-mod=mod go install "$module" >&2
echo "$bin_dir/$tool"
