#!/usr/bin/env bash
# The ablations of the RL stage (the paper's Table 4) on the bundled model. From the bundled
# supervised judge and with the bundled RL judge's settings but RL_STEPS steps (default 30, half
# the bundled judge's, to fit a session on 2 cores), one RL judge per reward (squared, all, low,
# low-large) with the exact Plackett-Luce log-likelihood, and one with the squared reward and
# the per-index surrogate (scripts/bundled_judge.sh with RL_REWARD / RL_LOG_PROB / RL_STEPS /
# RL_PHI_SCALE).
# All are compared with the SL judge at the tightest budget, B = 244 (L = 32): loss and the
# low-entropy rise on the held-out traces, accuracy on the benchmark.
# Writes runs/ablations/fidelity.{md,json} and the report in runs/ablations/accuracy/.
set -euo pipefail
cd "$(dirname "$0")/.."
model=models/bundled_v1
work=runs/judge
out=runs/ablations
steps=${RL_STEPS:-30}
scale=${RL_PHI_SCALE:-100}
variants=("squared exact" "all exact" "low exact" "low-large exact" "squared surrogate")
judges=(--judge "sl=$model/judge_sl.safetensors")
policies=foresight-sl
for variant in "${variants[@]}"; do
  read -r reward log_prob <<<"$variant"
  RL_REWARD=$reward RL_LOG_PROB=$log_prob RL_STEPS=$steps RL_PHI_SCALE=$scale \
    scripts/bundled_judge.sh
  label=${reward}-${log_prob}
  judges+=(--judge "$label=$work/judge_rl_${reward}_${log_prob}_${steps}_${scale}.safetensors")
  policies+=,foresight-$label
done
mkdir -p "$out"
build/foresight score --model "$model" --traces "$work/heldout.safetensors" --policy "$policies" \
  "${judges[@]}" --budget 244 --evict-every 32 --seed 1 --json "$out/fidelity.json" |
  tee "$out/fidelity.md.tmp"
mv "$out/fidelity.md.tmp" "$out/fidelity.md"
build/foresight eval --model "$model" --dataset benchmarks/tasks_v1.jsonl --policies "$policies" \
  "${judges[@]}" --budgets 244 --evict-every 32 --max-new-tokens 3072 --out "$out/accuracy"
