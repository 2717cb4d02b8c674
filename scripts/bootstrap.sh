#!/usr/bin/env bash
# Installs what the monorepo needs where it is missing (pnpm, uv), then installs and builds.
# Sourced by quickstart.sh and test.sh, so a fresh machine needs nothing but Node, Python and git.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

export PATH="$HOME/.local/bin:$PATH"

for tool in node python3 git make; do
  command -v "$tool" >/dev/null || { echo "bootstrap: '$tool' is required and was not found" >&2; exit 1; }
done

# The pinned pnpm, in a prefix inside the repository (git-ignored) when the one on PATH is
# another version: set-up never replaces a person's global tools.
pnpm_version="$(node -p "require('./package.json').packageManager.split('@')[1]")"
local_pnpm="$repo_root/.tools/pnpm"
export PATH="$local_pnpm/node_modules/.bin:$PATH"
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  echo "bootstrap: installing pnpm $pnpm_version in .tools/pnpm"
  npm install --prefix "$local_pnpm" --no-audit --no-fund --no-save "pnpm@$pnpm_version" >/dev/null
fi

if ! command -v uv >/dev/null; then
  echo "bootstrap: installing uv"
  python3 -m pip install --quiet --disable-pip-version-check uv 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check --user uv
fi

# Headless Chromium renders the generated evaluation report in the e2e (Debian's package).
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  echo "bootstrap: installing chromium"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

pnpm install --frozen-lockfile
pnpm build
