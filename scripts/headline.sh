#!/usr/bin/env bash
# The headline results of the bundled model, from models/bundled and its two judges
# (scripts/bundled_judge.sh):
#  1. fidelity: teacher-forced loss ratio against the full cache on the held-out traces
#     (runs/judge/heldout.safetensors) of golden, every heuristic and both judges, at B = 244
#     and 488 (L = 32), with the rises on low- and high-entropy tokens;
#  2. accuracy: `foresight eval` of the benchmark under every policy and both judges at
#     B = 122, 244, 488 and 976 (greedy decoding; the judges draw their evictions, seeded),
#     with its plot.
# Writes runs/headline/fidelity.{md,json} and the report in runs/headline/accuracy/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
model=models/bundled
out=runs/headline
for f in "$model/judge_sl.safetensors" "$model/judge_rl.safetensors" runs/judge/heldout.safetensors; do
  [[ -f $f ]] || { echo "headline: $f is missing; scripts/bundled_judge.sh makes it" >&2; exit 1; }
done
mkdir -p "$out"
judges=(--judge "sl=$model/judge_sl.safetensors" --judge "rl=$model/judge_rl.safetensors")
heuristics=streaming,h2o,tova,snapkv,rkv,random
build/foresight score --model "$model" --traces runs/judge/heldout.safetensors \
  --policy "golden,$heuristics,foresight-sl,foresight-rl" "${judges[@]}" --budget 244,488 \
  --evict-every 32 --seed 1 --json "$out/fidelity.json" | tee "$out/fidelity.md.tmp"
mv "$out/fidelity.md.tmp" "$out/fidelity.md"
build/foresight eval --model "$model" --dataset benchmarks/tasks.jsonl \
  --policies "full,$heuristics,foresight-sl,foresight-rl" "${judges[@]}" \
  --budgets 122,244,488,976 --evict-every 32 --max-new-tokens 3072 --out "$out/accuracy"
