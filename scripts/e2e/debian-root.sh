#!/usr/bin/env bash
# A Debian bookworm root — what the GitLab jobs' pinned python:3.11-slim-bookworm image is
# built on — for running those jobs' install steps for real without a container engine.
#   bash scripts/e2e/debian-root.sh create <dir>            debootstrap a minimal root into <dir>
#   bash scripts/e2e/debian-root.sh run <dir> <script>      run <script> (a file inside <dir>,
#                                                           absolute from the root) under chroot
# `run` works in a private mount namespace: the root is bind-mounted onto itself (buildah
# remounts /) and gets its own /proc, and every mount is gone when the command ends, so nothing
# of the host is ever mounted inside a directory a test later deletes. Needs root.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "debian-root: needs root (debootstrap, chroot, mount)" >&2; exit 1; }
mode="${1:?usage: debian-root.sh create|run <dir> [script]}"
root="${2:?usage: debian-root.sh create|run <dir> [script]}"

case "$mode" in
  create)
    if ! command -v debootstrap >/dev/null; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    fi
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    # The host's own extra CAs (say, of a TLS-inspecting egress proxy) are trusted inside too:
    # ca-certificates adds them when a job installs it.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
      mkdir -p "$root/usr/local/share/ca-certificates"
      cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    fi
    ;;
  run)
    script="${3:?usage: debian-root.sh run <dir> <script>}"
    exec unshare --mount --propagation private bash -c '
      set -e
      mount --bind "$1" "$1"
      mount -t proc proc "$1/proc"
      exec chroot "$1" /usr/bin/env -i HOME=/root TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash -e "$2"
    ' debian-root "$root" "$script"
    ;;
  *)
    echo "debian-root: unknown mode $mode (create or run)" >&2
    exit 2
    ;;
esac
