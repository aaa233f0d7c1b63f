#!/usr/bin/env bash
# Installs, builds, and runs the main job: the bundled reasoning model (models/bundled) solves
# the benchmark (benchmarks/tasks.jsonl: 32 problems of each of four task families) under every
# eviction policy at three budgets, 6.25%, 12.5% and 25% of the benchmark's mean sequence (3468
# tokens), with evictions every L = 32 tokens; greedy decoding. streaming+prompt keeps every
# prompt token and the recent window, the simplest causal baseline; live keeps what the task's
# rules say a solver must still hold, the ceiling of a policy that cannot see the future. With
# the bundled judges present, the learned policy runs too (`foresight-sl`, `foresight-rl`).
# Prints the accuracy table per family; the full report (results.json/csv/md, accuracy.svg,
# samples.jsonl) goes to runs/demo. The judges run beside the recent window they were trained
# beside (50% of the budget), the other policies beside L. TESTBED=v1 runs the v1 model on the
# v1 benchmark instead (into runs/demo_v1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
source scripts/testbed.sh
source scripts/main_policies.sh
out=runs/demo
[[ $testbed == v2 ]] || out=runs/demo_$testbed
build/foresight eval --model "$model" --dataset "$dataset" --policies "$policies" \
  --budgets "$budgets" --evict-every "$evict_every" --max-new-tokens "$max_new_tokens" \
  "${judges[@]}" --out "$out"
