#!/usr/bin/env bash
# The supervised judge of the bundled model (issue 5), from scratch or resumed where it stopped:
#  1. training and held-out problems (seeds 301 and 302, default knobs; the benchmark uses 2026),
#  2. the model's own traces of them (sampled, temperature 0.6, with full-cache reference losses),
#  3. train-judge --stage sl at B = 488 (25% of the benchmark's mean sequence length), L = 32,
#  4. the judge copied to models/bundled/judge_sl.safetensors with its training log.
# Everything lands in runs/judge/ (ignored by git) except the final judge.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
model=models/bundled
work=runs/judge
budget=${BUDGET:-488}
evict_every=32
mkdir -p "$work"
[[ -f $work/train_tasks.jsonl ]] ||
  build/foresight tasks --family all --n 192 --seed 301 --out "$work/train_tasks.jsonl"
[[ -f $work/heldout_tasks.jsonl ]] ||
  build/foresight tasks --family all --n 48 --seed 302 --out "$work/heldout_tasks.jsonl"
for part in train heldout; do
  [[ -f $work/$part.safetensors ]] ||
    build/foresight traces --model "$model" --dataset "$work/${part}_tasks.jsonl" \
      --temperature 0.6 --top-p 0.95 --top-k 20 --seed 1 --max-new-tokens 3072 \
      --evict-every "$evict_every" --out "$work/$part.safetensors"
done
resume=()
[[ -f $work/judge_sl.safetensors.train/checkpoint.safetensors ]] && resume=(--resume)
build/foresight train-judge --stage sl --model "$model" --traces "$work/train.safetensors" \
  --heldout "$work/heldout.safetensors" --heldout-limit 24 --budget "$budget" \
  --evict-every "$evict_every" --steps 300 --traces-per-step 4 --lr 1e-2 --warmup 10 \
  --eval-every 50 --seed 1 --out "$work/judge_sl.safetensors" "${resume[@]}"
cp "$work/judge_sl.safetensors" "$model/judge_sl.safetensors"
cp "$work/judge_sl.safetensors.train/train_log.jsonl" "$model/judge_sl_train_log.jsonl"
echo "supervised judge written to $model/judge_sl.safetensors"
