#!/usr/bin/env bash
# Saves the unfinished stages of scripts/train_bundled.sh into the repository
# (models/bundled/resume/STAGE: the latest checkpoint and the log), so that a clone on another
# machine resumes them: train_bundled.sh restores a saved stage into runs/ before training.
# Commit models/bundled/resume afterwards; train_bundled.sh removes it once the model is done.
set -euo pipefail
cd "$(dirname "$0")/.."
for run in runs/bundled_v2/*/; do
  stage=$(basename "$run")
  [[ -d $run/checkpoint && ! -f $run/finished ]] || continue
  saved=models/bundled/resume/$stage
  rm -rf "$saved.tmp"
  mkdir -p "$saved.tmp"
  cp -r "$run/checkpoint" "$run/train_log.jsonl" "$saved.tmp/"
  rm -rf "$saved"
  mv "$saved.tmp" "$saved"
  echo "saved $run to $saved ($(du -sh "$saved" | cut -f1))"
done
