#!/usr/bin/env bash
# Fuzzes every parser: builds the libFuzzer targets of fuzz/ into build-fuzz/ (clang, with
# AddressSanitizer and UBSan), seeds their corpora from the project's own files
# (fuzz/make_corpus.sh) and runs each target for SECONDS (default 60), JOBS targets at once.
# Prints each target's executions and coverage and writes the table to runs/fuzz/summary.md.
# A finding (crash, sanitizer report, uncaught exception, timeout, out-of-memory) leaves its
# input in runs/fuzz/artifacts/ and makes the script exit 1; replay it with
#   build-fuzz/fuzz/TARGET runs/fuzz/artifacts/FILE
# Corpora grow across runs in runs/fuzz/corpus/. JOBS (default: all cores) sets the build
# jobs and how many targets fuzz at once (each on one core); TARGETS (default: all), a
# space-separated list, builds and runs only those, e.g.
#   TARGETS="completion_request_fuzz gguf_fuzz" scripts/fuzz.sh 600
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
jobs=${JOBS:-$(nproc)}

# Longest input per target: large enough for its seeds (the tiny model's weights are ~430 KB).
declare -A max_len=(
  [answer_fuzz]=8192 [completion_request_fuzz]=8192 [config_fuzz]=4096 [dataset_fuzz]=16384 [judge_fuzz]=65536
  [gguf_fuzz]=1048576 [model_index_fuzz]=16384 [model_weights_fuzz]=1048576
  [safetensors_fuzz]=65536
  [tokenizer_encode_fuzz]=8192 [tokenizer_json_fuzz]=65536 [trace_fuzz]=65536
  [train_config_fuzz]=4096
)

targets=${TARGETS:-$(printf '%s\n' "${!max_len[@]}" | sort)}
for target in $targets; do
  [[ -n ${max_len[$target]:-} ]] || { echo "fuzz.sh: TARGETS: no target '$target'" >&2; exit 1; }
done

scripts/setup.sh --fuzz
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS=-gline-tables-only -DFORESIGHT_FUZZ=ON -DFORESIGHT_TESTS=OFF \
  -DFORESIGHT_BENCH=OFF >/dev/null
cmake --build build-fuzz -j "$jobs" --target foresight $targets

runs=runs/fuzz
mkdir -p "$runs/corpus" "$runs/artifacts" "$runs/logs"
fuzz/make_corpus.sh build-fuzz/foresight "$runs/seeds"

# fuzz_target NAME: runs one target and writes its summary row to $runs/rows/NAME.
fuzz_target() {
  local target=$1 log="$runs/logs/$1.log" status=0
  mkdir -p "$runs/corpus/$target"
  "build-fuzz/fuzz/$target" -max_total_time="$seconds" -max_len="${max_len[$target]}" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$runs/artifacts/$target-" \
    "$runs/corpus/$target" "$runs/seeds/$target" >"$log" 2>&1 || status=$?
  # libFuzzer's last status line: "#N  DONE  cov: C ft: F corp: K/S ..." (or the line before
  # a crash), and its final stats.
  local last execs rate corpus result artifact
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  field() { sed -nE "s/.*$1: ([0-9]+).*/\\1/p" <<<"$last"; }
  execs=$(sed -nE 's/^stat::number_of_executed_units: +([0-9]+)/\1/p' "$log")
  rate=$(sed -nE 's/^stat::average_exec_per_sec: +([0-9]+)/\1/p' "$log")
  corpus=$(sed -nE 's/.*corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")
  if ((status == 0)); then
    result=ok
  else
    artifact=$(sed -nE 's/.*Test unit written to (.*)/\1/p' "$log" | tail -1)
    result="FINDING (exit $status) ${artifact:-see $log}"
  fi
  echo "| $target | $seconds | ${execs:-?} | ${rate:-?} | $(field cov) | $(field ft) | ${corpus:-?} | $result |" |
    tee "$runs/rows/$target"
}

export OMP_NUM_THREADS=1
rm -rf "$runs/rows"
mkdir -p "$runs/rows"
running=0
for target in $targets; do
  fuzz_target "$target" &
  if ((++running >= jobs)); then
    wait -n
    ((running--))
  fi
done
wait

{
  echo "# Fuzzing: $(date -u +%Y-%m-%dT%H:%MZ), $seconds s per target, commit $(git rev-parse --short HEAD)"
  echo
  echo "| target | seconds | executions | exec/s | cov | ft | corpus | result |"
  echo "|---|---|---|---|---|---|---|---|"
  cat "$runs"/rows/*
} >"$runs/summary.md"
echo "fuzz: summary in $runs/summary.md, logs in $runs/logs/" >&2
! grep -q FINDING "$runs"/rows/*
