#!/usr/bin/env bash
# Installs the Prometheus Pushgateway (Debian's `prometheus-pushgateway` package) where it is
# missing, and prints the binary's path: the monitoring e2e pushes a generated project's batch
# metrics to a real one. Debian's package, like scripts/install-prometheus.sh, because the Go
# module proxy does not serve github.com/prometheus/pushgateway (403) where this was written.
# The package may start a system service on :9091; our tests never use it — they start their own
# Pushgateway on a free loopback port.
set -euo pipefail

for candidate in pushgateway prometheus-pushgateway; do
  if command -v "$candidate" >/dev/null; then
    command -v "$candidate"
    exit 0
  fi
done

sudo_cmd=()
if [ "$(id -u)" != "0" ]; then
  command -v sudo >/dev/null || { echo "install-pushgateway: need root or sudo to apt-get install prometheus-pushgateway" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
command -v apt-get >/dev/null || { echo "install-pushgateway: no apt-get; install the Pushgateway yourself (https://github.com/prometheus/pushgateway)" >&2; exit 1; }

echo "install-pushgateway: installing Debian's prometheus-pushgateway package" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends prometheus-pushgateway >/dev/null 2>&1 || {
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends prometheus-pushgateway >/dev/null
}
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  "${sudo_cmd[@]}" systemctl disable --now prometheus-pushgateway >/dev/null 2>&1 || true
fi
command -v prometheus-pushgateway
