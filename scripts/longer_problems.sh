#!/usr/bin/env bash
# The bundled judges against every policy on problems longer than the benchmark's, 16 of each
# family from seeds never used elsewhere, greedy, as the main job runs them, at the testbed's
# two larger budgets (scripts/testbed.sh; L = 32):
#   v2: about 1.5 times the benchmark's sequences (program 18 passes; walk 168 hops; lemmas
#       30 rounds with 10 of warm-up; carry 24 steps), seed 381, B = 433 and 867;
#   v1: the top of the v1 model's training ranges (program 28-30 lines, 3 passes; pointer
#       28-30 hops, 40 distractors; carry 14 digits, 12 steps), seeds 371-373, B = 488 and 976;
#       about 20 minutes on 2 cores.
# Writes runs/longer[_v1]/tasks.jsonl and the report in runs/longer[_v1]/accuracy/.
# POLICIES=LIST runs only those of the main job's policies (e.g. on a slower machine
# POLICIES=full,live,streaming+prompt,foresight-sl,foresight-rl).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
source scripts/testbed.sh
out=runs/longer
longer_tokens=6144
[[ $testbed == v2 ]] || { out=runs/longer_$testbed; longer_tokens=4096; }
mkdir -p "$out"
if [[ ! -f $out/tasks.jsonl ]]; then
  if [[ $testbed == v1 ]]; then
    build/foresight tasks --family program --n 16 --seed 371 --knob lines=28..30 --knob registers=8 \
      --knob passes=3 --out "$out/program.jsonl"
    build/foresight tasks --family pointer --n 16 --seed 372 --knob hops=28..30 \
      --knob distractors=40 --knob digits=5 --out "$out/pointer.jsonl"
    build/foresight tasks --family carry --n 16 --seed 373 --knob digits=14 --knob steps=12 \
      --out "$out/carry.jsonl"
    cat "$out/program.jsonl" "$out/pointer.jsonl" "$out/carry.jsonl" > "$out/tasks.tmp"
    rm "$out/program.jsonl" "$out/pointer.jsonl" "$out/carry.jsonl"
  else
    build/foresight tasks --family program,walk,lemmas,carry --n 64 --seed 381 --knob passes=18 \
      --knob hops=168 --knob rounds=30 --knob warmup=10 --knob steps=24 --out "$out/tasks.tmp"
  fi
  mv "$out/tasks.tmp" "$out/tasks.jsonl"
fi
source scripts/main_policies.sh
policies=${POLICIES:-$policies}
build/foresight eval --model "$model" --dataset "$out/tasks.jsonl" --policies "$policies" \
  --budgets "${budgets#*,}" --evict-every "$evict_every" --max-new-tokens "$longer_tokens" "${judges[@]}" \
  --out "$out/accuracy"
