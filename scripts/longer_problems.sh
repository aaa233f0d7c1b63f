#!/usr/bin/env bash
# The bundled judges against every policy on problems longer than the benchmark's, at the top
# of the bundled model's training ranges (program 28-30 lines, 3 passes; pointer 28-30 hops,
# 40 distractors; carry 14 digits, 12 steps; 16 of each, seeds 371-373, never used elsewhere),
# at B = 488 and 976 (L = 32), greedy, as the main job runs them. About 20 minutes on 2 cores.
# Writes runs/longer/tasks.jsonl and the report in runs/longer/accuracy/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
model=models/bundled_v1
out=runs/longer
mkdir -p "$out"
if [[ ! -f $out/tasks.jsonl ]]; then
  build/foresight tasks --family program --n 16 --seed 371 --knob lines=28..30 --knob registers=8 \
    --knob passes=3 --out "$out/program.jsonl"
  build/foresight tasks --family pointer --n 16 --seed 372 --knob hops=28..30 \
    --knob distractors=40 --knob digits=5 --out "$out/pointer.jsonl"
  build/foresight tasks --family carry --n 16 --seed 373 --knob digits=14 --knob steps=12 \
    --out "$out/carry.jsonl"
  cat "$out/program.jsonl" "$out/pointer.jsonl" "$out/carry.jsonl" > "$out/tasks.tmp"
  rm "$out/program.jsonl" "$out/pointer.jsonl" "$out/carry.jsonl"
  mv "$out/tasks.tmp" "$out/tasks.jsonl"
fi
source scripts/main_policies.sh
build/foresight eval --model "$model" --dataset "$out/tasks.jsonl" --policies "$policies" \
  --budgets 488,976 --evict-every 32 --max-new-tokens 4096 "${judges[@]}" --out "$out/accuracy"
