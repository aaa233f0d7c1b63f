#!/usr/bin/env bash
# The fidelity table of the bundled model (the paper's Tables 1 and 2), from models/bundled_v1 and
# its judges (scripts/bundled_judge.sh; the RL judge when there is one): the teacher-forced loss
# ratio against the full cache on the held-out traces (runs/judge/heldout.safetensors) of
# golden, every heuristic, the prompt-protected StreamingLLM and the judges, at B = 244 and 488
# (L = 32), with the rises on low- and high-entropy tokens and, per decision, the harmful
# evictions (future attention above 1e-2) and the future attention evicted.
# The accuracy table of the same policies is the main job's (scripts/demo.sh).
# Writes runs/headline/fidelity.{md,json}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
model=models/bundled_v1
out=runs/headline
for f in "$model/judge_sl.safetensors" runs/judge/heldout.safetensors; do
  [[ -f $f ]] || { echo "headline: $f is missing; scripts/bundled_judge.sh makes it" >&2; exit 1; }
done
policies=golden,streaming,streaming+prompt,h2o,tova,snapkv,rkv,random,foresight-sl
judges=(--judge "sl=$model/judge_sl.safetensors")
if [[ -f $model/judge_rl.safetensors ]]; then
  policies+=,foresight-rl
  judges+=(--judge "rl=$model/judge_rl.safetensors")
fi
mkdir -p "$out"
build/foresight score --model "$model" --traces runs/judge/heldout.safetensors \
  --policy "$policies" "${judges[@]}" \
  --budget 244,488 --evict-every 32 --seed 1 --json "$out/fidelity.json" | tee "$out/fidelity.md.tmp"
mv "$out/fidelity.md.tmp" "$out/fidelity.md"
