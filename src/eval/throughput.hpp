// Decoding throughput under a KV memory cap, the paper's efficiency result (its Table 3): in
// the same bytes of cache a budgeted policy runs many more sequences at once than the full
// cache, so it decodes more tokens per second, the more so the longer the generations.
//
// For each (policy, budget) and generation length T:
//  - max batch: how many sequences' caches fit the cap, each reserved as generate_batch
//    reserves it: B + L entries per (layer, KV head) under a budget, T under the full cache
//    (its cache at the end of a T-token generation is what bounds the batch);
//  - tokens/s: that many sequences decoded together in the steady state of continuous
//    batching, where the running sequences are spread evenly over their generations (sequence
//    i of b is at position (i + 1/2) T' / b, T' = T - warmup - steps, so the full cache's
//    attention costs what it costs on average over a T-token generation). Each cache is
//    filled to the entries the schedule leaves it at that position, with synthetic keys and
//    values (a step's cost does not depend on them), then `warmup` untimed and `steps` timed
//    decoding steps run: forward_batch over the whole batch, evictions included, and a greedy
//    pick per sequence. tokens/s = b * steps / seconds;
//  - speed-up: tokens/s over the full cache's at the same length.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/json_file.hpp"
#include "eval/policy_grid.hpp"
#include "model/model.hpp"

namespace foresight {

class Progress;

struct ThroughputSettings {
  std::vector<PolicyRun> runs;  // the full cache among them: the speed-ups' reference
  std::vector<int> lengths;     // generation lengths T, in tokens
  int64_t kv_memory = 0;        // bytes of keys and values all sequences together may reserve
  int steps = 8, warmup_steps = 2;
  uint64_t seed = 1;  // synthetic cache entries and first tokens
};

struct ThroughputRow {
  std::string policy;
  std::optional<int> budget;  // nullopt for the full cache
  int length = 0, max_batch = 0;
  double tokens_per_s = 0, speedup = 0;
};

// Rows by length, then in the order of the runs. Every configuration is checked before any is
// measured: errors name --kv-memory (too small for one sequence), --lengths (not longer than
// the warm-up and timed steps), --policies (no full cache, or a policy that cannot decode).
// `progress` (may be null) advances once per configuration.
std::vector<ThroughputRow> measure_throughput(const Model& model,
                                              const ThroughputSettings& settings,
                                              Progress* progress);

// | length | policy | budget | max batch | tokens/s | speed-up |
std::string throughput_markdown(const std::vector<ThroughputRow>& rows);
// [{"policy", "budget" (null for full), "length", "max_batch", "tokens_per_s", "speedup"}, ...]
Json throughput_json(const std::vector<ThroughputRow>& rows);

}  // namespace foresight
