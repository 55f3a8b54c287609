#!/usr/bin/env bash
# Runs a command with the project's Node 24 first on PATH (scripts/node.sh), so that npm
# scripts run on it whatever Node started npm: `bash scripts/with-node.sh vitest run`.
set -euo pipefail
. "$(dirname "$0")/node.sh"
exec "$@"
