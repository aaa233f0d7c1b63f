#!/usr/bin/env bash
# Test tooling only: installs node-llama-cpp (pinned in package.json), which ships llama.cpp's
# source as a git bundle and its prebuilt CPU libraries, into node_modules/ here, and extracts
# llama.cpp's gguf-py/ from the bundle, if missing. tests/gguf_test.cpp skips the checks that
# need them without it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ ! -d node_modules/node-llama-cpp ]]; then
  if ! command -v npm >/dev/null; then
    echo "fetch.sh: npm not found (scripts/setup.sh --test installs it)" >&2
    exit 1
  fi
  # --ignore-scripts: nothing from the registry runs here.
  npm ci --ignore-scripts --no-audit --no-fund >&2
fi
if [[ ! -d gguf-py ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  git clone -q node_modules/node-llama-cpp/llama/gitRelease.bundle "$work/llama.cpp" 2>/dev/null
  cp -r "$work/llama.cpp/gguf-py" gguf-py
fi
