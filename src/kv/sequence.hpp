// One sequence being run through the model: its KV cache, the position of its next token, and
// the eviction schedule and policy that keep its cache within budget.
#pragma once
#include <memory>
#include <vector>

#include "core/rng.hpp"
#include "kv/attention_recorder.hpp"
#include "kv/kv_cache.hpp"
#include "kv/schedule.hpp"
#include "model/config.hpp"
#include "policy/policy.hpp"

namespace foresight {

class Sequence {
 public:
  // A null policy is the full cache: the schedule's budget is ignored. A policy that reads the
  // future (golden) needs `future`, recorded on this very trace with blocks of the schedule's L;
  // without it the constructor refuses (generation cannot know the future).
  explicit Sequence(const ModelConfig& config, EvictionSchedule schedule = {},
                    std::shared_ptr<const Policy> policy = nullptr, uint64_t seed = 0,
                    std::shared_ptr<const FutureAttention> future = nullptr);

  // Declared before the cache, which is sized from them.
  EvictionSchedule schedule;
  std::shared_ptr<const Policy> policy;
  StatMask stats = 0;     // the statistics the policy needs
  int recent_window = 0;  // how many of a chunk's last queries the policy needs
  KvCache cache;
  int64_t next_position = 0;
  // Every token fed so far, by position (for policies that read the text: live).
  std::vector<int32_t> tokens;
  // Tokens of the prompt (the judge's in-prompt input, `--sinks prompt`); 0 when unknown.
  int64_t prompt_length = 0;
  Rng rng;
  // Per layer: the chunk's last queries, [recent_window, n_heads, head_dim], oldest first.
  std::vector<std::vector<float>> recent_queries;
  std::shared_ptr<const FutureAttention> future;
  // When set, the attention kernel also hands its probabilities to it (Golden Eviction's pass).
  AttentionRecorder* recorder = nullptr;

  int64_t evictions = 0;       // (layer, chunk) evictions performed
  int64_t evicted_entries = 0; // entries removed, over all layers and heads
  int64_t peak_kv_bytes = 0;
  double eviction_seconds = 0;  // spent scoring candidates and compacting (a cost to report)
  // With `future` (a replayed trace): evicted entries whose future attention (alpha, the most
  // any later block of queries gives them) exceeds `harm_threshold`, and the alpha summed over
  // every evicted entry. What a policy's mistakes cost, seen by the oracle.
  float harm_threshold = 1e-2f;
  int64_t harmful_evictions = 0;
  double evicted_future_attention = 0;
};

}  // namespace foresight
