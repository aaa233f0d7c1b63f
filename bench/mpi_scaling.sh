#!/usr/bin/env bash
# Supervised judge training of the bundled model across MPI ranks: steps/s of one process with
# one thread against N ranks with one thread each (the same traces and settings, so the same
# judge bit for bit), and the share of rank 0's step time spent in the collectives (sending,
# receiving, and waiting for the slowest rank). Each configuration runs twice, for 2 and for
# STEPS steps; the difference is the steps' time alone, without loading and standardisation.
# usage: bench/mpi_scaling.sh [STEPS] [N]   (after scripts/build.sh, in a build with MPI)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-12}
ranks=${2:-2}
work=runs/mpi_scaling
mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
[[ -f $work/tasks.jsonl ]] ||
  build/foresight tasks --family program,walk,lemmas,carry --n 16 --seed 7001 \
    --out "$work/tasks.jsonl"
[[ -f $work/traces.safetensors ]] ||
  build/foresight traces --model models/bundled --dataset "$work/tasks.jsonl" \
    --max-new-tokens 4096 --temperature 0.6 --seed 1 --evict-every 32 \
    --out "$work/traces.safetensors" 2>/dev/null

# seconds RANKS STEPS: wall time of one training run (its log in $work/N-STEPS.log).
seconds() {
  local launcher=() name=$work/$1-$2
  (($1 > 1)) && launcher=(mpirun -np "$1" --oversubscribe)
  rm -rf "$name.safetensors" "$name.safetensors.train"
  local start end
  start=$(date +%s.%N)
  "${launcher[@]}" build/foresight train-judge --stage sl --model models/bundled \
    --traces "$work/traces.safetensors" --budget 433 --budgets 217,433,867 --evict-every 32 \
    --steps "$2" --traces-per-step 4 --seed 1 --out "$name.safetensors" 2>"$name.log"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

one_short=$(seconds 1 2) one_long=$(seconds 1 "$steps")
n_short=$(seconds "$ranks" 2) n_long=$(seconds "$ranks" "$steps")
comm_short=$(sed -nE 's/.*spent ([0-9.]+) s in MPI collectives/\1/p' "$work/$ranks-2.log")
comm_long=$(sed -nE 's/.*spent ([0-9.]+) s in MPI collectives/\1/p' "$work/$ranks-$steps.log")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "supervised judge steps $((steps - 2)) (4 traces each, B = 217/433/867 in turn), one thread a rank:"
awk -v s=$((steps - 2)) -v a="$one_short" -v b="$one_long" -v c="$n_short" -v d="$n_long" \
  -v e="$comm_short" -v f="$comm_long" -v n="$ranks" 'BEGIN {
  one = s / (b - a); many = s / (d - c)
  printf "| ranks | steps/s | speed-up | collectives, share of step time |\n|---|---|---|---|\n"
  printf "| 1 | %.3f | 1.00x | |\n", one
  printf "| %d | %.3f | %.2fx | %.1f%% |\n", n, many, many / one, 100 * (f - e) / (d - c) }'
