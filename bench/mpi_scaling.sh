#!/usr/bin/env bash
# Judge training of the bundled model across MPI ranks: supervised steps/s and RL rollouts/s
# of one process with one thread against N ranks with one thread each (the same traces and
# settings, so the same judges bit for bit), and the share of rank 0's step time spent in the
# collectives (sending, receiving, and waiting for the slowest rank). Each configuration runs
# twice, for a short and a longer run; the difference is the steps' time alone, without
# loading, standardisation and the final write.
# usage: bench/mpi_scaling.sh [SL_STEPS] [N] [RL_STEPS]   (after scripts/build.sh, with MPI;
# MODEL=DIR for another model, WORK=DIR for another work directory)
set -euo pipefail
cd "$(dirname "$0")/.."
sl_steps=${1:-12}
ranks=${2:-2}
rl_steps=${3:-3}
work=${WORK:-runs/mpi_scaling}
model=${MODEL:-models/bundled}
mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
[[ -f $work/tasks.jsonl ]] ||
  build/foresight tasks --family program,walk,lemmas,carry --n 16 --seed 7001 \
    --out "$work/tasks.jsonl"
[[ -f $work/traces.safetensors ]] ||
  build/foresight traces --model "$model" --dataset "$work/tasks.jsonl" \
    --max-new-tokens 4096 --temperature 0.6 --seed 1 --evict-every 32 \
    --out "$work/traces.safetensors" 2>/dev/null

# seconds STAGE RANKS STEPS ARGS...: wall time of one training run ($work/STAGE-RANKS-STEPS.log).
seconds() {
  local stage=$1 n=$2 steps=$3 launcher=()
  shift 3
  local name=$work/$stage-$n-$steps
  ((n > 1)) && launcher=(mpirun -np "$n" --oversubscribe)
  rm -rf "$name.safetensors" "$name.safetensors.train"
  local start end
  start=$(date +%s.%N)
  "${launcher[@]}" build/foresight train-judge --stage "$stage" --model "$model" \
    --traces "$work/traces.safetensors" --budget 433 --evict-every 32 --steps "$steps" \
    --seed 1 --out "$name.safetensors" "$@" 2>"$name.log"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}
# collectives STAGE RANKS STEPS: rank 0's seconds in the collectives.
collectives() { sed -nE 's/.*spent ([0-9.]+) s in MPI collectives/\1/p' "$work/$1-$2-$3.log"; }

# row LABEL UNITS_PER_STEP STEPS SHORT_1 LONG_1 SHORT_N LONG_N COLL_SHORT COLL_LONG
row() {
  awk -v label="$1" -v u="$2" -v s="$3" -v a="$4" -v b="$5" -v c="$6" -v d="$7" -v e="$8" \
    -v f="$9" -v n="$ranks" 'BEGIN {
    one = u * s / (b - a); many = u * s / (d - c)
    printf "| %s | %.3f | %.3f | %.2fx | %.1f%% |\n", label, one, many, many / one,
      100 * (f - e) / (d - c) }'
}

sl=(--budgets 217,433,867 --traces-per-step 4)
a=$(seconds sl 1 2 "${sl[@]}") b=$(seconds sl 1 "$sl_steps" "${sl[@]}")
c=$(seconds sl "$ranks" 2 "${sl[@]}") d=$(seconds sl "$ranks" "$sl_steps" "${sl[@]}")
sl_row=$(row "supervised steps/s (4 traces a step)" 1 $((sl_steps - 2)) "$a" "$b" "$c" "$d" \
  "$(collectives sl "$ranks" 2)" "$(collectives sl "$ranks" "$sl_steps")")
rl=(--init "$work/sl-1-$sl_steps.safetensors" --traces-per-step 2 --group 4 --phi-scale 100)
a=$(seconds rl 1 1 "${rl[@]}") b=$(seconds rl 1 "$rl_steps" "${rl[@]}")
c=$(seconds rl "$ranks" 1 "${rl[@]}") d=$(seconds rl "$ranks" "$rl_steps" "${rl[@]}")
rl_row=$(row "RL rollouts/s (2 traces x 4 a step)" 8 $((rl_steps - 1)) "$a" "$b" "$c" "$d" \
  "$(collectives rl "$ranks" 1)" "$(collectives rl "$ranks" "$rl_steps")")

echo "machine: $(getconf _NPROCESSORS_ONLN) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "bundled model, B = 433 (supervised: 217/433/867 in turn), one thread a rank"
echo "| measure | 1 process | $ranks ranks | speed-up | collectives, share of step time |"
echo "|---|---|---|---|---|"
echo "$sl_row"
echo "$rl_row"
