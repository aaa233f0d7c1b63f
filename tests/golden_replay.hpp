// The oracle's evictions replayed without a model (tests only): the schedule's arithmetic
// written out once more over recorded future attention, an independent reference for the
// engine's `golden` policy and for the judge teacher, which run the same choices inside a
// Sequence.
#pragma once
#include <vector>

#include "kv/schedule.hpp"
#include "train/golden.hpp"

namespace foresight::test {

// The oracle's decision at one eviction of one (layer, KV head): the supervised labels.
struct GoldenEviction {
  int step = 0;   // the eviction's index along the trace (the same for every layer and head)
  int chunk = 0;  // it follows chunk `chunk`, so blocks j >= chunk + 1 score it
  int layer = 0, kv_head = 0;
  std::vector<int32_t> candidates;  // positions, ascending: the cache's candidate order
  std::vector<float> targets;       // -alpha per candidate (higher = more evictable)
  std::vector<int32_t> evicted;     // positions, ascending
};

struct GoldenLabels {
  EvictionSchedule schedule;
  int n_layers = 0, n_kv_heads = 0, n_steps = 0;
  std::vector<GoldenEviction> evictions;  // [step][layer][kv_head]

  const GoldenEviction& at(int step, int layer, int kv_head) const {
    return evictions[(size_t(step) * n_layers + layer) * n_kv_heads + kv_head];
  }
};

// Runs the schedule (budget B, eviction length L = future.block(), sinks) over the recorded
// trace with the oracle's choices; `prompt_length` is the trace's prompt, for `--sinks prompt`.
GoldenLabels golden_evictions(const FutureAttention& future, const EvictionSchedule& schedule,
                              int64_t prompt_length = 0);

}  // namespace foresight::test
