#!/usr/bin/env bash
# The search for GRPO settings that move the bundled SL judge (README, "Choosing the RL
# settings"): each variant trains an RL judge from models/bundled_v1/judge_sl.safetensors on the
# traces of scripts/bundled_judge.sh (run it first) and logs, every 10 steps, the judge's greedy
# accuracy on the 48 held-out problems at B = 488 (never the benchmark). A variant is
# "label phi-scale lr traces-per-step large-rise steps"; the KL term stays on throughout.
# About 12 minutes a variant on 2 cores. Writes runs/rl_settings/LABEL.safetensors
# and their logs (LABEL.safetensors.train/train_log.jsonl); finished variants are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
model=models/bundled_v1
work=runs/judge
out=runs/rl_settings
# The chosen settings (scale 100, lr 1e-3, 4 traces, 1.5 nats) are the bundled RL judge's: its
# log is models/bundled_v1/judge_rl_train_log.jsonl, and RL_STEPS=60 scripts/bundled_judge.sh
# runs them on to 60 steps.
variants=("scale100-lr2e-4-8traces-rise0.5 100 2e-4 8 0.5 20"
          "scale1000-lr2e-4-8traces-rise0.5 1000 2e-4 8 0.5 20")
mkdir -p "$out"
for variant in "${variants[@]}"; do
  read -r label scale lr traces rise steps <<<"$variant"
  judge=$out/$label.safetensors
  [[ -f $judge ]] && continue
  rm -rf "$judge.train"  # an interrupted variant starts over
  build/foresight train-judge --stage rl --model "$model" --traces "$work/train.safetensors" \
    --heldout "$work/heldout.safetensors" --heldout-limit 8 \
    --heldout-tasks "$work/heldout_tasks.jsonl" --budget 488 --evict-every 32 \
    --init "$model/judge_sl.safetensors" --phi-scale "$scale" --lr "$lr" \
    --traces-per-step "$traces" --group 8 --large-rise "$rise" --kl-steps 1000 \
    --steps "$steps" --eval-every 10 --seed 1 --out "$judge"
done
for variant in "${variants[@]}"; do
  read -r label _ <<<"$variant"
  echo "$label: held-out accuracy by step"
  grep '"eval":"tasks"' "$out/$label.safetensors.train/train_log.jsonl"
done
