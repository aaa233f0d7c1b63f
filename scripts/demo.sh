#!/usr/bin/env bash
# Installs, builds, and runs the main job. Until the bundled reasoning model lands, the job is
# a small random model that the project writes itself: its description and a generation.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
model=build/demo-model
[[ -f $model/config.json ]] || build/foresight random-model --out "$model" --preset tiny --seed 7
build/foresight info --model "$model"
build/foresight generate --model "$model" --chat --prompt "What is 12 + 30?" \
  --max-new-tokens 32 --temperature 0.8 --top-k 40 --top-p 0.95 --seed 1
