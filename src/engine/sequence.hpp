// One sequence being run through the model, in three parts: its settings (what the caller sets:
// the eviction schedule and policy that keep its cache within budget, the seed of the policy's
// draws, a replayed trace's future attention, the prompt length, who else is told of its
// evictions and attention), its state (owned by the engine: the KV cache, the position of its
// next token, the tokens so far, the policy's generator and recent queries), and its stats
// (what its evictions did and cost).
#pragma once
#include <memory>
#include <span>
#include <vector>

#include "core/rng.hpp"
#include "engine/eviction_observer.hpp"
#include "kv/attention_recorder.hpp"
#include "kv/kv_cache.hpp"
#include "kv/schedule.hpp"
#include "model/config.hpp"
#include "policy/policy.hpp"

namespace foresight {

struct SequenceSettings {
  EvictionSchedule schedule{};  // its budget is ignored without a policy
  // Null: the full cache. A policy that reads the future (golden) needs `future`.
  std::shared_ptr<const Policy> policy = nullptr;
  uint64_t seed = 0;  // of the generator the policy draws from
  // A replayed trace's future attention, recorded on this very trace with blocks of the
  // schedule's L (the constructor checks it): read by golden and observers, and by the harm
  // count of the stats. Generation cannot know it.
  std::shared_ptr<const FutureAttention> future = nullptr;
  // Tokens of the prompt (the judge's in-prompt input, `--sinks prompt`); 0 when unknown.
  int64_t prompt_length = 0;
  float harm_threshold = 1e-2f;           // the future attention above which an eviction is harmful
  EvictionObserver* observer = nullptr;   // told of every eviction (judge training)
  AttentionRecorder* recorder = nullptr;  // handed the attention probabilities (Golden Eviction)
};

// What the sequence's evictions did and cost, measured as it runs.
struct EvictionStats {
  int64_t evictions = 0;        // (layer, chunk) evictions performed
  int64_t evicted_entries = 0;  // entries removed, over all layers and heads
  int64_t peak_kv_bytes = 0;
  double eviction_seconds = 0;  // spent scoring candidates and compacting (a cost to report)
  // With a future (a replayed trace): evicted entries whose future attention (alpha, the most
  // any later block of queries gives them) exceeds the harm threshold, and the alpha summed over
  // every evicted entry. What a policy's mistakes cost, seen by the oracle.
  int64_t harmful_evictions = 0;
  double evicted_future_attention = 0;
};

class Sequence {
 public:
  // Refuses a policy that reads the future without one (generation cannot know it) and a future
  // recorded for another model or L.
  explicit Sequence(const ModelConfig& config, SequenceSettings settings = {});

  const SequenceSettings& settings() const { return settings_; }
  const EvictionStats& stats() const { return stats_; }

  KvCache& cache() { return cache_; }
  const KvCache& cache() const { return cache_; }
  int64_t next_position() const { return next_position_; }
  const std::vector<int32_t>& tokens() const { return tokens_; }  // every token fed, by position
  StatMask attention_stats() const { return attention_stats_; }   // the cache's statistics

  // The forward pass, in order: `ids` are about to run (kept, and the cache's peak counted with
  // their entries); each of their queries is offered, per layer, to the policy's recent
  // queries; then the next ids.size() positions have run. A caller that fills the cache by
  // hand advances past its entries.
  void feed(std::span<const int32_t> ids);
  void keep_recent_query(int layer, const float* q, int64_t position);
  void advance(int64_t n) { next_position_ += n; }

 private:
  // The eviction step reads the policy's generator and recent queries and keeps the stats.
  friend void evict_layer(Sequence& seq, int layer, int group, const Rope& rope);

  SequenceSettings settings_;
  // Declared before the cache, which is sized from them.
  StatMask attention_stats_ = 0;  // what the policy and the observer read
  int recent_window_ = 0;         // how many of a chunk's last queries the policy reads
  int64_t kv_bytes_per_token_;
  KvCache cache_;
  int64_t next_position_ = 0;
  std::vector<int32_t> tokens_;
  Rng rng_;
  // Per layer: the chunk's last queries, [recent_window, n_heads, head_dim], oldest first.
  std::vector<std::vector<float>> recent_queries_;
  EvictionStats stats_;
};

}  // namespace foresight
