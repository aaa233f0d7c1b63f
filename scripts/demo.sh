#!/usr/bin/env bash
# Installs, builds, and runs the main job: the bundled reasoning model (models/bundled_v1) solves
# the benchmark (benchmarks/tasks_v1.jsonl: 32 problems of each task family) under every eviction
# policy at three budgets, 12.5%, 25% and 50% of the benchmark's mean sequence length (1955
# tokens), with evictions every L = 32 tokens; greedy decoding. streaming+prompt keeps every prompt
# token and the recent window, the simplest causal baseline. With the bundled judges present,
# the learned policy runs too, with each (`foresight-sl`, `foresight-rl`). Prints the accuracy
# table per family; the full report (results.json/csv/md, accuracy.svg, samples.jsonl) goes to
# runs/demo.
# About 18.5 minutes on 2 cores with both judges.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
model=models/bundled_v1
if [[ ! -f $model/model.safetensors ]]; then
  echo "demo: $model holds no trained model yet; scripts/train_bundled_v1.sh trains it" >&2
  exit 1
fi
source scripts/main_policies.sh
build/foresight eval --model "$model" --dataset benchmarks/tasks_v1.jsonl --policies "$policies" \
  --budgets 244,488,976 --evict-every 32 --max-new-tokens 3072 "${judges[@]}" --out runs/demo
