#!/usr/bin/env bash
# Test tooling only: installs node-llama-cpp (pinned in package.json), which ships llama.cpp's
# source as a git bundle, and its prebuilt x64 CPU libraries into node_modules/ here; extracts
# llama.cpp's gguf-py/ from the bundle and builds greedy (greedy.c), if missing.
# tests/gguf_test.cpp skips the checks that need them without them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ "$(uname -sm)" != "Linux x86_64" ]]; then
  echo "fetch.sh: llama.cpp tooling is pinned for Linux x86_64 only; its GGUF checks will skip" >&2
  exit 0
fi
if [[ ! -d node_modules/node-llama-cpp ]]; then
  if ! command -v npm >/dev/null; then
    echo "fetch.sh: npm not found (scripts/setup.sh --test installs it)" >&2
    exit 1
  fi
  # --ignore-scripts: nothing from the registry runs here; --omit=optional: none of the GPU
  # builds (~650 MB) node-llama-cpp lists as optional.
  npm ci --omit=optional --ignore-scripts --no-audit --no-fund >&2
fi
# The bundle's gguf-py/, and the greedy-decoding probe built against its llama.h and the
# prebuilt x64 CPU libraries.
bins=node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
if [[ ! -d gguf-py || ! -x greedy ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  git clone -q node_modules/node-llama-cpp/llama/gitRelease.bundle "$work/llama.cpp" 2>/dev/null
  [[ -d gguf-py ]] || cp -r "$work/llama.cpp/gguf-py" gguf-py
  gcc -O1 -o greedy greedy.c -I"$work/llama.cpp/include" -I"$work/llama.cpp/ggml/include" \
    -L"$bins" -l:libllama.v0.4.0.so -l:libggml.v0.4.0.so -l:libggml-base.so \
    -Wl,-rpath,"$(realpath "$bins")"
fi
