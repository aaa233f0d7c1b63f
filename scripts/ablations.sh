#!/usr/bin/env bash
# The ablations of the RL stage (the paper's Table 4) on the bundled model: from the same
# supervised judge and with the same settings as the bundled RL judge (squared reward, exact
# Plackett-Luce log-likelihood), one RL judge per other reward (all, low, low-large) and one
# with the per-index surrogate log-likelihood (scripts/bundled_judge.sh with RL_REWARD /
# RL_LOG_PROB). All are compared at the tightest budget, B = 244 (L = 32): loss ratio and
# low-entropy rise on the held-out traces, accuracy on the benchmark.
# Writes runs/ablations/fidelity.{md,json} and the report in runs/ablations/accuracy/.
set -euo pipefail
cd "$(dirname "$0")/.."
model=models/bundled
work=runs/judge
out=runs/ablations
variants=("all exact" "low exact" "low-large exact" "squared surrogate")
judges=(--judge "sl=$model/judge_sl.safetensors" --judge "rl=$model/judge_rl.safetensors")
policies=foresight-sl,foresight-rl
for variant in "${variants[@]}"; do
  read -r reward log_prob <<<"$variant"
  RL_REWARD=$reward RL_LOG_PROB=$log_prob scripts/bundled_judge.sh
  label=${reward}-${log_prob}
  judges+=(--judge "$label=$work/judge_rl_${reward}_${log_prob}.safetensors")
  policies+=,foresight-$label
done
mkdir -p "$out"
build/foresight score --model "$model" --traces "$work/heldout.safetensors" --policy "$policies" \
  "${judges[@]}" --budget 244 --evict-every 32 --seed 1 --json "$out/fidelity.json" |
  tee "$out/fidelity.md.tmp"
mv "$out/fidelity.md.tmp" "$out/fidelity.md"
build/foresight eval --model "$model" --dataset benchmarks/tasks.jsonl --policies "$policies" \
  "${judges[@]}" --budgets 244 --evict-every 32 --max-new-tokens 3072 --out "$out/accuracy"
