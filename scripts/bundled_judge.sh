#!/usr/bin/env bash
# The judges of the bundled model, from scratch or resumed where they stopped:
#  1. training and held-out problems (seeds 301 and 302, default knobs; the benchmark uses 2026),
#  2. the model's own traces of them (sampled, temperature 0.6, with full-cache reference losses),
#  3. train-judge --stage sl at B = 488 (25% of the benchmark's mean sequence length), L = 32,
#  4. train-judge --stage rl from it (GRPO, SPEC section 6, scaled down to 2 cores: fewer steps
#     and traces per step, the KL phase shortened in proportion),
#  5. both judges copied to models/bundled/ (judge_sl, judge_rl) with their training logs.
# Everything lands in runs/judge/ (ignored by git) except the final judges. RL_REWARD,
# RL_LOG_PROB and RL_STEPS pick another reward, the surrogate log-likelihood or another length
# (the ablations); any of them set makes an ablation judge,
# runs/judge/judge_rl_REWARD_LOGPROB_STEPS.safetensors, which is not copied.
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
# Resumes a train-judge run whose checkpoint exists (OUT.train/), else starts it.
train_judge() {
  local out=$1; shift
  local resume=()
  [[ -f $out.train/checkpoint.safetensors ]] && resume=(--resume)
  build/foresight train-judge --model "$model" --traces "$work/train.safetensors" \
    --heldout "$work/heldout.safetensors" --budget "$budget" --evict-every "$evict_every" \
    --seed 1 --out "$out" "$@" "${resume[@]}"
}
train_judge "$work/judge_sl.safetensors" --stage sl --heldout-limit 24 --steps 300 \
  --traces-per-step 4 --lr 1e-2 --warmup 10 --eval-every 50
reward=${RL_REWARD:-squared}
log_prob=${RL_LOG_PROB:-exact}
rl_steps=${RL_STEPS:-60}
rl=judge_rl
[[ -z ${RL_REWARD:-}${RL_LOG_PROB:-}${RL_STEPS:-} ]] || rl=judge_rl_${reward}_${log_prob}_${rl_steps}
train_judge "$work/$rl.safetensors" --stage rl --init "$work/judge_sl.safetensors" \
  --reward "$reward" --log-prob "$log_prob" --heldout-limit 8 --steps "$rl_steps" \
  --traces-per-step 4 --group 8 --kl-steps 24 --eval-every 20
[[ $rl == judge_rl ]] || { echo "ablation judge written to $work/$rl.safetensors"; exit 0; }
for stage in sl rl; do
  cp "$work/judge_$stage.safetensors" "$model/judge_$stage.safetensors"
  cp "$work/judge_$stage.safetensors.train/train_log.jsonl" "$model/judge_${stage}_train_log.jsonl"
done
echo "judges written to $model/judge_sl.safetensors and $model/judge_rl.safetensors"
