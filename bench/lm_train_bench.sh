#!/usr/bin/env bash
# Training speed of the C++ trainer against PyTorch (Debian's python3-torch, eager, fp32,
# torch.set_num_threads) on the same model, initial weights, batch and optimizer, in one run on
# the same number of threads (2 unless THREADS is set). PyTorch runs with
# OMP_WAIT_POLICY=passive, which spares it the fight between its OpenMP threads and OpenBLAS's
# own on a small machine (much faster), and once in its default environment. The C++ trainer
# and passive PyTorch alternate for ROUNDS rounds (default 2), so that both meet the same load
# on a shared machine. Prints tokens/s per implementation (over all timed steps, and of the
# fastest step: the least disturbed), tokens per CPU-second (the work a step costs, whatever
# share of the cores it got: comparable under load), the ratios against the faster PyTorch,
# the load average around the run, and the largest difference between the implementations'
# per-step losses (same weights, same steps).
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
rounds=${ROUNDS:-2}
[ -x "$build/bench/lm_train_bench" ] || { echo "build $build/bench/lm_train_bench first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
reference=(/usr/bin/python3 tests/reference/lm_train.py --dir "$work" --threads "$threads" --modes "$modes")
for ((round = 0; round < rounds; ++round)); do
  OMP_NUM_THREADS=$threads "$build/bench/lm_train_bench" --out "$work" "$@" >> "$work/results.jsonl"
  OMP_WAIT_POLICY=passive "${reference[@]}" |
    sed 's/"implementation": "pytorch-/"implementation": "pytorch-passive-/' >> "$work/results.jsonl"
done
"${reference[@]}" | sed 's/"implementation": "pytorch-/"implementation": "pytorch-default-/' >> "$work/results.jsonl"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/python3 - "$work/results.jsonl" "$load_before" "$load_after" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
runs = {}
for r in rows:
    runs.setdefault(r["implementation"], []).append(r)
cpp = runs["foresight"][0]
def mean(name):
    rs = runs[name]
    return sum(r["tokens_per_step"] * len(r["step_seconds"]) for r in rs) / sum(sum(r["step_seconds"]) for r in rs)
def best(name):
    return max(r["tokens_per_step"] / min(r["step_seconds"]) for r in runs[name])
def per_cpu(name):
    rs = runs[name]
    return sum(r["tokens_per_step"] * len(r["step_cpu_seconds"]) for r in rs) / sum(sum(r["step_cpu_seconds"]) for r in rs)
print(f"model: {cpp['parameters']:,} parameters; batch: {cpp['tokens_per_step']} tokens in "
      f"{len(json.load(open(sys.argv[1].replace('results.jsonl', 'batch.json')))['sequences'])} "
      f"sequences; {cpp['threads']} threads; steps timed per run: {len(cpp['step_seconds'])}")
print(f"load average (1, 5, 15 min): {sys.argv[2]} before, {sys.argv[3]} after")
print(f"{'implementation':32} {'runs':>4} {'tok/s (mean)':>13} {'tok/s (best step)':>18} {'tok/CPU-s':>10}")
for name in runs:
    print(f"{name:32} {len(runs[name]):4} {mean(name):13.0f} {best(name):18.0f} {per_cpu(name):10.0f}")
torch_names = [n for n in runs if n != "foresight"]
fastest = max(torch_names, key=mean)
print(f"ratio foresight / {fastest}: {mean('foresight') / mean(fastest):.2f}x (mean), "
      f"{best('foresight') / max(best(n) for n in torch_names):.2f}x (best step), "
      f"{per_cpu('foresight') / max(per_cpu(n) for n in torch_names):.2f}x (per CPU-second)")
diff = max(abs(a - b) for r in rows if r["implementation"] != "foresight"
           for a, b in zip(cpp["losses"], r["losses"]))
print(f"largest per-step loss difference: {diff:.2e} (losses {', '.join(f'{l:.4f}' for l in cpp['losses'])})")
PY
