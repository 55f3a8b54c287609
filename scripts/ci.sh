#!/usr/bin/env bash
# `npm run ci`: install what the tests need on a fresh machine, check the schema and generated
# code, lint, typecheck, then run every test (`npm test`). CI runs exactly this.
#
# It runs on Node 24 (scripts/node.sh fetches it from the npm registry when the system's
# Node is older), installs exactly what package-lock.json pins (`npm ci`), and fails when
# anything it ran left a tracked file modified or an untracked file behind.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/node.sh
echo "ci: node $(node --version) ($(command -v node)), npm $(npm --version)"

if ! command -v nats-server >/dev/null 2>&1; then
  echo "ci: installing nats-server from Debian"
  apt-get update -qq </dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server </dev/null >/dev/null
fi
nats-server --version
if ! command -v protoc >/dev/null 2>&1; then
  echo "ci: installing protoc (protobuf-compiler) from Debian: tests decode the stream with elava schema's output"
  apt-get update -qq </dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler </dev/null >/dev/null
fi
protoc --version

echo "ci: no merge conflict markers in tracked files"
if git grep -n -E '^(<<<<<<<|>>>>>>>) ' -- . ':!package-lock.json'; then
  echo "ci: the files above hold unresolved merge conflicts" >&2
  exit 1
fi

echo "ci: npm ci"
npm ci --no-audit --no-fund

echo "ci: buf lint"
npx buf lint
echo "ci: buf breaking against the committed baseline (schema/baseline.binpb)"
npx buf breaking --against schema/baseline.binpb
echo "ci: generated code is current"
npx buf generate
if [ -n "$(git status --porcelain -- src/gen)" ]; then
  git status --short -- src/gen
  echo "ci: src/gen is stale: run 'npm run generate' and commit the result" >&2
  exit 1
fi

echo "ci: build dist/ (what the image runs; bin/elava uses it while it is current)"
npm run build

echo "ci: biome + typecheck"
npx biome ci --colors=off .
npx tsc --noEmit

echo "ci: tests"
mkdir -p .tmp
npm test -- --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json
# A plain closing line any reader of CI logs recognises.
node -e 'const r = require("./.tmp/vitest.json"); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)'

echo "ci: the working tree is as committed"
if [ -n "$(git status --porcelain)" ]; then
  git status --short
  echo "ci: install, build or tests changed or left the files above; nothing in that path may" >&2
  exit 1
fi
