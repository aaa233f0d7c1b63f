#!/usr/bin/env bash
# Test tooling only: installs the official openai npm client (pinned in package.json) into
# node_modules/ here, if missing. tests/serve_test.cpp skips its client test without it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ ! -d node_modules/openai ]]; then
  if ! command -v npm >/dev/null; then
    echo "fetch.sh: npm not found (scripts/setup.sh --test installs it)" >&2
    exit 1
  fi
  # --ignore-scripts: nothing from the registry runs here.
  npm ci --ignore-scripts --no-audit --no-fund >&2
fi
