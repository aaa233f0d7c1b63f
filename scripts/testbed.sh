# Sourced by the scripts that run the bundled model on its benchmark: sets the testbed's
# `model`, `dataset`, `budgets` (6.25/12.5/25% of the v2 benchmark's mean sequence of 3468
# tokens; 12.5/25/50% of v1's 1955), `evict_every` and `max_new_tokens`. TESTBED=v2 (the
# default) selects the current model and benchmark, v1 the earlier ones (models/bundled_v1,
# benchmarks/tasks_v1.jsonl).
testbed=${TESTBED:-v2}
evict_every=32
case $testbed in
  v2) model=models/bundled dataset=benchmarks/tasks.jsonl budgets=217,433,867 max_new_tokens=4096 ;;
  v1) model=models/bundled_v1 dataset=benchmarks/tasks_v1.jsonl budgets=244,488,976 max_new_tokens=3072 ;;
  *) echo "TESTBED must be v1 or v2, not '$testbed'" >&2; exit 2 ;;
esac
if [[ ! -f $model/model.safetensors ]]; then
  echo "$model holds no trained model yet: scripts/train_bundled.sh (v2) or train_bundled_v1.sh (v1) trains it" >&2
  exit 1
fi
