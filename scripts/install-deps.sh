#!/usr/bin/env bash
# Installs the npm dependencies exactly as package-lock.json pins them.
#
# `npm ci` is tried first. It refuses a lockfile that lacks the optional platform packages
# of other systems (biome's and buf's darwin/windows/musl binaries), and npm leaves those
# out when the registry it resolved against does not serve them, as the mirror of this
# project's build machines does not. `npm install` then installs the same pinned versions
# for this platform without that check.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! npm ci --no-audit --no-fund "$@" >"$log" 2>&1; then
  if grep -q "from lock file" "$log"; then
    echo "install-deps: npm ci refused the lockfile (other platforms' optional packages are missing); using npm install"
    npm install --no-audit --no-fund "$@"
  else
    cat "$log" >&2
    exit 1
  fi
fi
