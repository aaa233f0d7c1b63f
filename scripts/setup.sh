#!/usr/bin/env bash
# Installs the Debian 12 packages foresight needs to build, test and benchmark.
# Idempotent: packages already installed are skipped, and apt-get update runs at most once.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libopenblas-dev nlohmann-json3-dev libcli11-dev libfmt-dev libpcre2-dev
  libgtest-dev libgmock-dev libbenchmark-dev libutf8proc-dev libcpp-httplib-dev
)
# Test tooling: the PyTorch reference for forward passes, node/npm for the tokenizer references,
# numpy and yaml for llama.cpp's gguf-py, clang-format for the sources' format check, Open MPI
# for the commands across ranks (built in when found; tests/mpi_test.cpp).
if [[ "${1:-}" == "--test" ]]; then
  packages+=(python3-torch python3-numpy python3-yaml clang-format libopenmpi-dev openmpi-bin)
  # Node may come from elsewhere (the image ships one); Debian's only when there is none.
  if ! command -v npm >/dev/null; then packages+=(nodejs npm); fi
fi
# Fuzzing (scripts/fuzz.sh): clang with its libFuzzer and sanitizer runtimes, and its OpenMP.
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(clang libclang-rt-14-dev libomp-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present" >&2
fi
