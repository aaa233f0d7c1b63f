// What a policy sees of one layer at one eviction (the candidates' keys, values, positions and
// statistics, the recent queries, the sequence's tokens), and the one rule by which the lowest
// scores are chosen. Below the policies, so that the judge's features read the same view.
#pragma once
#include <cstdint>
#include <span>

#include "core/rng.hpp"
#include "kv/attention_stats.hpp"
#include "kv/block_attention.hpp"
#include "kv/kv_cache.hpp"
#include "model/rope.hpp"

namespace foresight {

struct EvictionView {
  int layer = 0, n_kv_heads = 0, head_dim = 0, group = 0;
  // Candidates are entries [first, first + n) of every head: all but the sinks and the L newest.
  // Every head of a layer holds the same number of entries, so n is shared.
  int first = 0, n = 0;
  int64_t prompt_length = 0;  // the sequence's prompt tokens (0 when unknown)
  const KvCache* cache = nullptr;
  // The last `n_recent_queries` post-RoPE queries of the chunk, [n_recent, n_heads, head_dim],
  // oldest first (SnapKV-style policies); null when the policy asked for none.
  const float* recent_queries = nullptr;
  int n_recent_queries = 0;
  Rng* rng = nullptr;          // the sequence's generator, for policies that draw
  const Rope* rope = nullptr;  // the model's rotation (to undo it on the keys)
  // The replayed trace's future attention, for policies that need it (golden); else null.
  const FutureAttention* future = nullptr;
  // The sequence's tokens so far, by position (the chunk just processed included).
  std::span<const int32_t> tokens;

  const HeadCache& head(int kv_head) const { return cache->head(layer, kv_head); }
  const float* key(int kv_head, int candidate) const {
    return head(kv_head).keys() + int64_t{first + candidate} * head_dim;
  }
  const float* value(int kv_head, int candidate) const {
    return head(kv_head).values() + int64_t{first + candidate} * head_dim;
  }
  int32_t position(int kv_head, int candidate) const {
    return head(kv_head).positions()[first + candidate];
  }
  // The first position after the chunk just processed (its newest entry is never a candidate):
  // the queries still to come start here.
  int64_t end_position() const { return int64_t{head(0).positions().back()} + 1; }
  // Channel `s` of a candidate's statistics for query head `slot` of the group.
  float stat(int kv_head, int candidate, int slot, Stat s) const {
    const HeadCache& h = head(kv_head);
    return h.stats()[h.stats_stride() * (first + candidate) + kNumStats * slot + s];
  }
};

// Channel `s` of a candidate's statistics summed over the group's query heads.
inline float group_stat(const EvictionView& v, int kv_head, int candidate, Stat s) {
  float total = 0;
  for (int slot = 0; slot < v.group; ++slot) total += v.stat(kv_head, candidate, slot, s);
  return total;
}

// The indices of the `k` lowest scores, in ascending order; of equal scores the lower index
// (the older entry) goes first. The cache's one selection rule, shared with Golden Eviction.
void lowest_scores(std::span<const float> scores, int k, std::span<int32_t> out);

}  // namespace foresight
