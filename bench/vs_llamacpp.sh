#!/usr/bin/env bash
# foresight against llama.cpp on the same GGUF files: a random ~100M-parameter Qwen3 (the
# `100m` preset: 12 layers of width 768, a 32K vocabulary, 101M parameters) exported at F32,
# BF16 and Q8_0. Prints, per dtype, the prefill (PROMPT tokens in one batch) and decode
# (DECODE single-token steps) tokens/s of both engines on THREADS threads, best of ROUNDS runs
# taken in turn (foresight, llama.cpp, foresight, ...) so that both meet the same load, as
# foresight / llama.cpp ratios; then foresight's Q8_0 decode over its BF16 decode.
#
# foresight's side is build/bench/engine_bench; llama.cpp's is bench/llamacpp_speed.c, built
# here against the llama.h of node-llama-cpp's source bundle and its prebuilt x64 CPU
# libraries (ggml picks the best one for the CPU), which tests/reference/llamacpp/fetch.sh
# installs (pinned: node-llama-cpp 3.21.1). Both run with an fp32 KV cache and no flash
# attention. Tooling only: neither the library nor the CLI uses any of it.
#
# usage: bench/vs_llamacpp.sh
#   PRESET=tiny PROMPT=32 DECODE=8 ROUNDS=1 bench/vs_llamacpp.sh   # a quick end-to-end check
# BUILD_DIR (default build), THREADS (2), PROMPT (512), DECODE (128), ROUNDS (3), PRESET (100m).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${BUILD_DIR:-build}
threads=${THREADS:-2} prompt=${PROMPT:-512} decode=${DECODE:-128} rounds=${ROUNDS:-3}
preset=${PRESET:-100m}
for program in "$build/foresight" "$build/bench/engine_bench"; do
  [[ -x $program ]] || { echo "vs_llamacpp: build $program first" >&2; exit 1; }
done
tools=tests/reference/llamacpp
tests/reference/llamacpp/fetch.sh
bins=$root/$tools/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
[[ -d $bins ]] || { echo "vs_llamacpp: llama.cpp's libraries are missing ($bins)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$tools/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$work/llama.cpp" 2>/dev/null
gcc -O2 -o "$work/llamacpp_speed" bench/llamacpp_speed.c -I"$work/llama.cpp/include" \
  -I"$work/llama.cpp/ggml/include" -L"$bins" -l:libllama.v0.4.0.so -l:libggml.v0.4.0.so \
  -l:libggml-base.so -Wl,-rpath,"$bins"

"$build/foresight" random-model --out "$work/hf" --preset "$preset" --arch qwen3 2> /dev/null
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
echo "threads $threads, prompt $prompt tokens in one batch, decode $decode steps, best of $rounds" \
  "interleaved runs; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/foresight" info --model "$work/hf" | grep -E "^(layers|hidden|parameters) "
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > a ? b : a) }'; }
# "prefill/s decode/s" of one run of each engine on a file of type $2
foresight_speed() {
  "$build/bench/engine_bench" --model "$1" --weights stored --prompt "$prompt" --decode "$decode" \
    --rounds 1 | awk -v t="$2" '$1 == t { print $2, $3 }'
}
llamacpp_speed() { "$work/llamacpp_speed" "$bins" "$1" "$prompt" "$decode" "$threads"; }
declare -A fs_decode
printf '%-6s %10s %10s %7s %10s %10s %7s\n' dtype "fs pre/s" "lc pre/s" ratio "fs dec/s" \
  "lc dec/s" ratio
for dtype in F32 BF16 Q8_0; do
  file=$work/model-$dtype.gguf
  "$build/foresight" export-gguf --model "$work/hf" --out "$file" --dtype "${dtype,,}" 2> /dev/null
  fs_pre=0 fs_dec=0 lc_pre=0 lc_dec=0
  for ((round = 0; round < rounds; ++round)); do
    fs=$(foresight_speed "$file" "$dtype") lc=$(llamacpp_speed "$file")
    [[ -n $fs && -n $lc ]] || { echo "vs_llamacpp: no speed measured for $dtype" >&2; exit 1; }
    read -r pre dec <<< "$fs"
    fs_pre=$(best "$fs_pre" "$pre") fs_dec=$(best "$fs_dec" "$dec")
    read -r pre dec <<< "$lc"
    lc_pre=$(best "$lc_pre" "$pre") lc_dec=$(best "$lc_dec" "$dec")
  done
  awk -v t="$dtype" -v fp="$fs_pre" -v lp="$lc_pre" -v fd="$fs_dec" -v ld="$lc_dec" \
    'BEGIN { printf "%-6s %10.1f %10.1f %7.2f %10.2f %10.2f %7.2f\n", t, fp, lp, fp / lp, fd, ld, fd / ld }'
  fs_decode[$dtype]=$fs_dec
done
awk -v q="${fs_decode[Q8_0]}" -v b="${fs_decode[BF16]}" \
  'BEGIN { printf "foresight Q8_0 decode / foresight BF16 decode: %.2f\n", q / b }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
