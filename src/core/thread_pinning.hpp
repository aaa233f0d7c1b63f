// Each OpenMP thread kept on one CPU. Left free, the scheduler may move the threads between
// the CPUs, and a batched decoding step (dozens of short parallel regions, each waiting for
// its slowest thread) pays for every move: on a 2-core machine binding made `eval` 14-52%
// faster in four interleaved pairs of runs (docs/results.md, "Where the evaluation's time goes").
#pragma once

namespace foresight {

// Binds OpenMP thread i to the i-th CPU this process may run on (wrapping around), unless the
// user chose a binding (OMP_PROC_BIND or GOMP_CPU_AFFINITY set) or there is a single CPU.
// Threads created later by the main thread inherit its CPU, so call it once, first thing.
void pin_threads();

}  // namespace foresight
