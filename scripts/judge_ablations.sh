#!/usr/bin/env bash
# The ablation of the supervised judge on the bundled model, one addition at a time, each judge
# trained by scripts/bundled_judge.sh with everything else as the bundled SL judge's (same
# problems, traces, budgets 244/488/976, steps, seed):
#   paper        --features spec --loss uniform --own-path 0   (the paper's judge)
#   + weighted   --features spec --loss weighted --own-path 0
#   + features   --features default --loss weighted --own-path 0
#   + own path   --features default --loss weighted --own-path 0.5   (the bundled SL judge)
# and the bundled RL judge when there is one; then their greedy accuracy on the benchmark at
# B = 488 (25% of its mean sequence, L = 32) beside the prompt-protected StreamingLLM baseline,
# and their fidelity on the held-out traces. Resumable: rerun it. About 20 minutes a judge on
# 2 cores. Writes runs/judge_ablations/{accuracy/,fidelity.md,fidelity.json}.
set -euo pipefail
cd "$(dirname "$0")/.."
model=models/bundled
work=runs/judge
out=runs/judge_ablations
variants=("paper spec uniform 0" "weighted spec weighted 0" "features default weighted 0")
judges=()
policies=streaming+prompt
for variant in "${variants[@]}"; do
  read -r label features loss own <<<"$variant"
  FEATURES=$features LOSS=$loss OWN_PATH=$own EVAL_EVERY=300 scripts/bundled_judge.sh
  judges+=(--judge "$label=$work/judge_sl_${features}_${loss}_${own}.safetensors")
  policies+=,foresight-$label
done
judges+=(--judge "ownpath=$model/judge_sl.safetensors")
policies+=,foresight-ownpath
if [[ -f $model/judge_rl.safetensors ]]; then
  judges+=(--judge "rl=$model/judge_rl.safetensors")
  policies+=,foresight-rl
fi
mkdir -p "$out"
build/foresight eval --model "$model" --dataset benchmarks/tasks.jsonl --policies "$policies" \
  "${judges[@]}" --budgets 488 --evict-every 32 --max-new-tokens 3072 --out "$out/accuracy"
build/foresight score --model "$model" --traces "$work/heldout.safetensors" --policy "$policies" \
  "${judges[@]}" --budget 488 --evict-every 32 --seed 1 --json "$out/fidelity.json" |
  tee "$out/fidelity.md.tmp"
mv "$out/fidelity.md.tmp" "$out/fidelity.md"
