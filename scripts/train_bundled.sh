#!/usr/bin/env bash
# Trains the bundled model from scratch, or resumes the run in runs/bundled where it stopped:
# writes the training data (seeded, so every run sees the same problems), runs train-lm with
# models/bundled/train.json, and copies the finished model into models/bundled.
# Deterministic, so this script reproduces the bundled model exactly; run it again after an
# interruption and it resumes from the last checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
data=runs/bundled/data
mkdir -p "$data"
if [ ! -f "$data/heldout.jsonl" ]; then
  build/foresight tasks --family program --n 20000 --seed 101 --knob lines=4..30 \
    --knob registers=3..8 --knob passes=1..3 --out "$data/program.jsonl"
  build/foresight tasks --family pointer --n 20000 --seed 102 --knob hops=3..30 \
    --knob distractors=4..40 --knob digits=1..5 --out "$data/pointer.jsonl"
  build/foresight tasks --family carry --n 20000 --seed 103 --knob digits=2..14 \
    --knob steps=2..12 --out "$data/carry.jsonl"
  # Held out: drawn from another seed at the benchmark's default knobs.
  build/foresight tasks --family all --n 150 --seed 7 --out "$data/heldout.jsonl"
fi
resume=()
[ -d runs/bundled/train/checkpoint ] && resume=(--resume)
build/foresight train-lm --config models/bundled/train.json --out runs/bundled/train "${resume[@]}"
cp runs/bundled/train/model/* models/bundled/
cp runs/bundled/train/train_log.jsonl models/bundled/
echo "bundled model written to models/bundled"
