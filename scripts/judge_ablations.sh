#!/usr/bin/env bash
# The ablation of the supervised judge on the bundled model, each judge trained by
# scripts/bundled_judge.sh with everything else as the bundled SL judge's (same problems,
# traces, budgets 244/488/976, steps, seed):
#   paper   --features spec --loss uniform --own-path 0   (the paper's judge)
#   sl      --features default --loss weighted --own-path 0.5   (the bundled one)
# VARIANTS adds others, one "label features loss own-path" line each, e.g.
#   VARIANTS=$'weighted spec weighted 0\nfeatures default weighted 0' (the weighting alone, then
#   the features, each without the own path).
# Then their greedy accuracy on the benchmark at B = 488 (25% of its mean sequence, L = 32; the
# bundled judges' and the baselines' are the main job's), and with the bundled judges (SL, and
# RL when present) their accuracy on the held-out problems and fidelity on the held-out traces.
# Resumable: rerun it.
# About 25 minutes a judge on 2 cores. Writes runs/judge_ablations/{accuracy/,
# heldout_accuracy/,fidelity.md,fidelity.json}.
set -euo pipefail
cd "$(dirname "$0")/.."
model=models/bundled_v1
work=runs/judge
out=runs/judge_ablations
variants=("paper spec uniform 0")
[[ -z ${VARIANTS:-} ]] || readarray -t -O 1 variants <<<"$VARIANTS"
judges=()
policies=
for variant in "${variants[@]}"; do
  read -r label features loss own <<<"$variant"
  FEATURES=$features LOSS=$loss OWN_PATH=$own EVAL_EVERY=300 scripts/bundled_judge.sh
  judges+=(--judge "$label=$work/judge_sl_${features}_${loss}_${own}.safetensors")
  policies+=${policies:+,}foresight-$label
done
mkdir -p "$out"
build/foresight eval --model "$model" --dataset benchmarks/tasks_v1.jsonl --policies "$policies" \
  "${judges[@]}" --budgets 488 --evict-every 32 --max-new-tokens 3072 --out "$out/accuracy"
judges+=(--judge "sl=$model/judge_sl.safetensors")
policies+=,foresight-sl
if [[ -f $model/judge_rl.safetensors ]]; then
  judges+=(--judge "rl=$model/judge_rl.safetensors")
  policies+=,foresight-rl
fi
# The same judges, the bundled ones and two baselines on the held-out problems (not the
# benchmark): where the settings are chosen.
build/foresight eval --model "$model" --dataset "$work/heldout_tasks.jsonl" \
  --policies "streaming+prompt,rkv,$policies" "${judges[@]}" --budgets 488 --evict-every 32 \
  --max-new-tokens 3072 --out "$out/heldout_accuracy"
build/foresight score --model "$model" --traces "$work/heldout.safetensors" \
  --policy "streaming+prompt,$policies" "${judges[@]}" --budget 488 --evict-every 32 --seed 1 \
  --json "$out/fidelity.json" |
  tee "$out/fidelity.md.tmp"
mv "$out/fidelity.md.tmp" "$out/fidelity.md"
