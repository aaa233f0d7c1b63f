#!/usr/bin/env bash
# Installs, builds, and runs the main job: the bundled reasoning model (models/bundled) solves
# the benchmark (benchmarks/tasks.jsonl: 32 problems of each task family) under every eviction
# policy at three budgets, 12.5%, 25% and 50% of the benchmark's mean sequence length (1953
# tokens), with evictions every L = 32 tokens; greedy decoding. With the bundled judge present,
# the learned policy (`foresight`) runs too. Prints the accuracy table per family; the full
# report (results.json/csv/md, accuracy.svg, samples.jsonl) goes to runs/demo.
# About 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
model=models/bundled
if [[ ! -f $model/model.safetensors ]]; then
  echo "demo: $model holds no trained model yet; scripts/train_bundled.sh trains it" >&2
  exit 1
fi
policies=full,streaming,h2o,tova,snapkv,rkv,random
judge=()
if [[ -f $model/judge_sl.safetensors ]]; then
  policies+=,foresight
  judge=(--judge "$model/judge_sl.safetensors")
fi
build/foresight eval --model "$model" --dataset benchmarks/tasks.jsonl --policies "$policies" \
  --budgets 244,488,976 --evict-every 32 --max-new-tokens 3072 "${judge[@]}" --out runs/demo
