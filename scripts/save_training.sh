#!/usr/bin/env bash
# Saves the stages of scripts/train_bundled.sh into the repository (models/bundled/resume/STAGE:
# a finished stage's model, an unfinished one's latest checkpoint, and the log), so that a
# clone on another machine resumes where this one stopped: train_bundled.sh restores a saved
# stage into runs/ before training.
# Commit models/bundled/resume afterwards; train_bundled.sh removes it once the model is done.
set -euo pipefail
cd "$(dirname "$0")/.."
for run in runs/bundled_v2/*/; do
  stage=$(basename "$run")
  [[ $stage != data ]] || continue
  saved=models/bundled/resume/$stage
  rm -rf "$saved.tmp"
  mkdir -p "$saved.tmp"
  if [[ -f $run/finished ]]; then
    cp -r "$run/model" "$run/finished" "$saved.tmp/"
  elif [[ -d $run/checkpoint ]]; then
    cp -r "$run/checkpoint" "$saved.tmp/"
  else
    continue
  fi
  cp "$run/train_log.jsonl" "$saved.tmp/"
  rm -rf "$saved"
  mv "$saved.tmp" "$saved"
  echo "saved $run to $saved ($(du -sh "$saved" | cut -f1))"
done
