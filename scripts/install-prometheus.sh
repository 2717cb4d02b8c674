#!/usr/bin/env bash
# Installs Prometheus and promtool (Debian's `prometheus` package) where they are missing: the
# monitoring e2e and generated projects' `make monitoring-test` need the real tools, never a skip.
# The package may start a system service on install; our tests never use it — they start their
# own Prometheus on a free loopback port with their own config and data directory.
set -euo pipefail

if command -v promtool >/dev/null && command -v prometheus >/dev/null; then
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" != "0" ]; then
  command -v sudo >/dev/null || { echo "install-prometheus: need root or sudo to apt-get install prometheus" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
command -v apt-get >/dev/null || { echo "install-prometheus: no apt-get; install Prometheus (promtool) yourself" >&2; exit 1; }

echo "install-prometheus: installing Debian's prometheus package"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# --no-install-recommends keeps the node exporter and friends out.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends prometheus >/dev/null
# Some setups start the packaged service; it listens on :9090, which we never rely on. Stop it
# where a service manager is running, so it holds no port and no CPU during tests.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  "${sudo_cmd[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
command -v promtool >/dev/null && command -v prometheus >/dev/null
promtool --version | head -1
