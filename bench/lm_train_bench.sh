#!/usr/bin/env bash
# Training speed of the C++ trainer against PyTorch (Debian's python3-torch, eager, fp32,
# torch.set_num_threads) on the same model, initial weights, batch and optimizer, measured in
# one run on the same number of threads (2 unless THREADS is set). PyTorch runs twice: in the
# default environment, and with OMP_WAIT_POLICY=passive, which spares it the contention between
# its OpenMP threads and OpenBLAS's own on a small machine; the ratio is taken against the
# faster. Prints tokens/s (mean over the timed steps, and of the fastest step: on a shared
# machine the fastest is the least disturbed) and the largest difference between the two
# implementations' per-step losses.
#
# usage: bench/lm_train_bench.sh [options of build/bench/lm_train_bench]
#   e.g. bench/lm_train_bench.sh --layers 4 --lengths 1024,768,512,512,384,256,256,128,128,64
# BUILD_DIR (default build) names the build folder; MODES (default per-sequence) the PyTorch
# batching modes (per-sequence, padded).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
threads=${THREADS:-2}
modes=${MODES:-per-sequence}
[ -x "$build/bench/lm_train_bench" ] || { echo "build $build/bench/lm_train_bench first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
OMP_NUM_THREADS=$threads "$build/bench/lm_train_bench" --out "$work" "$@" > "$work/results.jsonl"
reference=(/usr/bin/python3 tests/reference/lm_train.py --dir "$work" --threads "$threads" --modes "$modes")
"${reference[@]}" | sed 's/"implementation": "pytorch-/"implementation": "pytorch-default-/' >> "$work/results.jsonl"
OMP_WAIT_POLICY=passive "${reference[@]}" |
  sed 's/"implementation": "pytorch-/"implementation": "pytorch-passive-/' >> "$work/results.jsonl"
/usr/bin/python3 - "$work/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cpp, torch_rows = rows[0], rows[1:]
def best(r): return r["tokens_per_step"] / min(r["step_seconds"])
print(f"model: {cpp['parameters']:,} parameters; batch: {cpp['tokens_per_step']} tokens; "
      f"{len(cpp['step_seconds'])} timed steps; {cpp['threads']} threads")
print(f"{'implementation':32} {'tok/s (mean)':>13} {'tok/s (best step)':>18}")
for r in rows:
    print(f"{r['implementation']:32} {r['tokens_per_second']:13.0f} {best(r):18.0f}")
fastest = max(torch_rows, key=lambda r: r["tokens_per_second"])
print(f"ratio foresight / {fastest['implementation']}: "
      f"{cpp['tokens_per_second'] / fastest['tokens_per_second']:.2f}x (mean), "
      f"{best(cpp) / max(best(r) for r in torch_rows):.2f}x (best step)")
diff = max(abs(a - b) for r in torch_rows for a, b in zip(cpp["losses"], r["losses"]))
print(f"largest per-step loss difference: {diff:.2e} (losses {', '.join(f'{l:.4f}' for l in cpp['losses'])})")
PY
