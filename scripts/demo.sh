#!/usr/bin/env bash
# `npm run demo`: the whole product in one command, on a machine with only Node.
#
# It installs what is missing (Node 24 from the npm registry when the system's Node is
# older, the npm dependencies, nats-server from Debian when running as root), starts a throwaway nats-server with JetStream on a free port in a temporary
# directory, scans the synthetic sample estate twice (the second scan applies the sample's
# churn: created, modified and disappeared resources), then shows what a consumer sees:
# the scan summary, the derived changes, the replayed inventory and a graph excerpt.
# The server and the directory are removed on exit, on Ctrl-C and on SIGTERM.
# It reads no standard input, so it runs the same in CI as on a terminal.
set -euo pipefail
cd "$(dirname "$0")/.."

ELAVA="bin/elava"
RESOURCES="${DEMO_RESOURCES:-3000}"

# Bold headings on a terminal only: escape codes in a file or a pipe are noise.
if [ -t 1 ]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; else BOLD="" PLAIN=""; fi
heading() {
  printf '\n%s== %s%s\n' "$BOLD" "$1" "$PLAIN"
  if [ "$#" -gt 1 ]; then printf '%s\n' "${@:2}"; fi
  printf '\n'
}

# --- what the demo needs -------------------------------------------------------------
# Node 24, fetched from the npm registry into .tools/ when the system's Node is older.
. scripts/node.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  heading "Installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund </dev/null
fi

if ! command -v nats-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    heading "Installing nats-server from Debian (apt-get)"
    apt-get update -qq </dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server </dev/null >/dev/null
  else
    cat >&2 <<'EOF'
demo: nats-server is not installed, and this script can install it only as root on Debian.
Install it, then run `npm run demo` again:
  Debian/Ubuntu:  sudo apt-get install nats-server
  macOS:          brew install nats-server
  anywhere:       https://github.com/nats-io/nats-server/releases (put it on PATH)
EOF
    exit 1
  fi
fi

# --- a throwaway server ----------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/elava-demo-XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted, cleaning up" >&2; exit 130' INT
trap 'exit 143' TERM

# Port -1 lets the server pick a free port itself (no race with another process); the
# port is read back from its log.
nats-server -js -a 127.0.0.1 -p -1 -sd "$WORK/store" >"$WORK/nats.log" 2>&1 </dev/null &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 100); do
  if grep -q "Server is ready" "$WORK/nats.log" 2>/dev/null; then
    PORT="$(sed -n 's/.*Listening for client connections on [0-9.]*:\([0-9]*\).*/\1/p' "$WORK/nats.log" | head -n 1)"
    break
  fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$PORT" ]; then
  echo "demo: nats-server did not start; its log:" >&2
  cat "$WORK/nats.log" >&2
  exit 1
fi
URL="nats://127.0.0.1:$PORT"
NATS=(--nats-url "$URL")

heading "A throwaway NATS server" \
  "$(nats-server --version) with JetStream at $URL, storing in $WORK (removed on exit)."

# Prints the scan's table on a terminal; in a pipe (CI) the scan writes JSON log lines,
# and the last one, the scan summary, is shown as a sentence.
scan() {
  local status=0
  if [ -t 2 ]; then
    "$ELAVA" scan --provider sample --sample-resources "$RESOURCES" "$@" "${NATS[@]}" </dev/null || status=$?
  else
    "$ELAVA" scan --provider sample --sample-resources "$RESOURCES" "$@" "${NATS[@]}" </dev/null 2>"$WORK/scan.log" || status=$?
    node -e '
      const lines = require("node:fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
      const logs = lines.flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
      const scan = logs.findLast((l) => l.scan_id !== undefined);
      if (scan === undefined) { console.log(lines.join("\n")); process.exit(0); }
      const types = new Map();
      for (const l of logs) if (l.resource_type) types.set(l.resource_type, (types.get(l.resource_type) ?? 0) + l.resources);
      console.log([...types].sort().map(([t, n]) => `  ${t.padEnd(18)} ${String(n).padStart(6)}`).join("\n"));
      console.log(`scan ${scan.scan_id}: ${scan.published} snapshots in ${scan.duration_s}s, ${scan.partitions_ok} partitions OK, ${scan.partitions_failed} FAILED`);
    ' "$WORK/scan.log"
  fi
  if [ "$status" -ne 0 ]; then
    echo "demo: elava scan exited with status $status" >&2
    [ -f "$WORK/scan.log" ] && tail -n 20 "$WORK/scan.log" >&2
    exit "$status"
  fi
}

# --- the product -------------------------------------------------------------------------
heading "Scan 1: the sample estate published to JetStream" \
  "One snapshot per resource on elava.sample.<type>.<account>.<region>.<id> (provider sample: synthetic" \
  "data, accounts sample-...), then one marker per" \
  "partition (type x account x region) once all its snapshots are acknowledged."
scan --sample-scan 1

heading "Scan 2: the same estate one scan later, with 1% churn" \
  "The scanner keeps no state: it publishes full snapshots again. What changed is for consumers to derive."
scan --sample-scan 2

heading "Changes derived from the stream (elava changes)" \
  "For each partition, the resources of scan 2 are compared with scan 1 using the markers and content hashes:" \
  "created, modified (with field differences) and disappeared. First 40 lines:"
"$ELAVA" changes "${NATS[@]}" --log-level warn </dev/null >"$WORK/changes.txt"
head -n 40 "$WORK/changes.txt"
echo "... ($(wc -l <"$WORK/changes.txt") lines in all)"

heading "The inventory rebuilt from the stream alone (elava replay)" \
  "Each partition's resources are those of its latest OK marker in stream order; a partition whose" \
  "later scan FAILED or was interrupted is unconfirmed, never emptied. Per partition (first 25 rows and the total):"
"$ELAVA" replay "${NATS[@]}" --log-level warn </dev/null >"$WORK/replay.txt"
head -n 26 "$WORK/replay.txt"
echo "..."
tail -n 1 "$WORK/replay.txt"

heading "Relationships (elava graph)" \
  "Edges are drawn only where both ends exist in the inventory; a reference to a missing resource" \
  "is dangling, with why (gone, unknown, outside the scan). Edges per relationship, then everything one EC2 instance touches:"
"$ELAVA" graph --format json "${NATS[@]}" --log-level warn </dev/null >"$WORK/graph.json"
node -e '
  const lines = require("node:fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const g = { nodes: [], edges: [], dangling: [] };
  for (const l of lines) if (l.kind === "node") g.nodes.push(l); else if (l.kind === "edge") g.edges.push(l); else if (l.kind === "dangling") g.dangling.push(l);
  const byRelation = new Map();
  for (const e of g.edges) byRelation.set(e.relation, (byRelation.get(e.relation) ?? 0) + 1);
  for (const [r, n] of [...byRelation].sort((a, b) => b[1] - a[1])) console.log(`  ${r.padEnd(24)} ${n}`);
  const why = new Map();
  for (const d of g.dangling) why.set(d.reason, (why.get(d.reason) ?? 0) + 1);
  console.log(`${g.nodes.length} resources, ${g.edges.length} edges, ${g.dangling.length} dangling references (${[...why].map(([r, n]) => `${n} ${r}`).join(", ") || "none"})\n`);
  const nodes = new Map(g.nodes.map((n) => [n.key, n]));
  const show = (k) => { const n = nodes.get(k); return n ? `${n.resourceType} ${n.name || n.resourceId}` : k; };
  const instance = g.nodes.find((n) => n.resourceType === "ec2_instance" && g.edges.filter((e) => e.from === n.key || e.to === n.key).length >= 4);
  if (instance !== undefined) {
    for (const e of g.edges.filter((e) => e.from === instance.key || e.to === instance.key)) {
      console.log(`  ${show(e.from)} --${e.relation}--> ${show(e.to)}`);
    }
  }
' "$WORK/graph.json"
echo
echo "(elava graph --format mermaid or --format dot draws the whole graph)"

heading "Next: your own AWS account" \
  "With AWS credentials in the environment (read-only policy: deploy/iam-policy.json) and a NATS server:" \
  "  bin/elava scan --provider aws --regions us-east-1,eu-west-1 --nats-url nats://your-nats:4222" \
  "  bin/elava run  --provider aws --nats-url nats://your-nats:4222      # the daemon, scanning on an interval" \
  "  bin/elava tail --nats-url nats://your-nats:4222                     # watch snapshots and markers arrive" \
  "Deployment, sizing, sharding and the stream settings: docs/operations.md"
