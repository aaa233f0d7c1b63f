// An eviction policy scores the candidates of one layer at one eviction, for every KV head
// (in the spirit of kvpress's presses). The cache then keeps the best-scored candidates (ties
// go to the more recent entry) unless the policy draws its own eviction set.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/rng.hpp"
#include "kv/attention_stats.hpp"
#include "kv/kv_cache.hpp"

namespace foresight {

struct EvictionView {
  int layer = 0, n_kv_heads = 0, head_dim = 0, group = 0;
  // Candidates are entries [first, first + n) of every head: all but the sinks and the L newest.
  // Every head of a layer holds the same number of entries, so n is shared.
  int first = 0, n = 0;
  const KvCache* cache = nullptr;
  // The last `n_recent_queries` post-RoPE queries of the chunk, [n_recent, n_heads, head_dim],
  // oldest first (SnapKV-style policies); null when the policy asked for none.
  const float* recent_queries = nullptr;
  int n_recent_queries = 0;
  Rng* rng = nullptr;  // the sequence's generator, for policies that draw

  const HeadCache& head(int kv_head) const { return cache->head(layer, kv_head); }
  const float* key(int kv_head, int candidate) const {
    return head(kv_head).keys() + int64_t{first + candidate} * head_dim;
  }
  // Channel `s` of a candidate's statistics for query head `slot` of the group.
  float stat(int kv_head, int candidate, int slot, Stat s) const {
    const HeadCache& h = head(kv_head);
    return h.stats()[h.stats_stride() * (first + candidate) + kNumStats * slot + s];
  }
};

// scores[kv_head * n + candidate] = scale * (channel `s` summed over the group's query heads).
inline void group_stat_scores(const EvictionView& v, Stat s, float scale, std::span<float> scores) {
  for (int h = 0; h < v.n_kv_heads; ++h)
    for (int c = 0; c < v.n; ++c) {
      float total = 0;
      for (int slot = 0; slot < v.group; ++slot) total += v.stat(h, c, slot, s);
      scores[int64_t{h} * v.n + c] = scale * total;
    }
}

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;
  virtual StatMask stats_needed() const { return 0; }
  virtual int recent_queries_needed() const { return 0; }
  // Fills scores[kv_head * view.n + candidate]; higher means keep.
  virtual void score(const EvictionView& view, std::span<float> scores) const = 0;
};

// Policies hold no per-sequence state (randomness comes through the view), so one policy object
// serves many sequences and threads.

// The policy of a name (random, streaming, h2o, tova, snapkv, rkv); "full" gives null (no
// eviction). Error for an unknown name, naming the command-line option and the known ones.
std::unique_ptr<Policy> make_policy(std::string_view name, std::string_view option = "--policy");
// The sinks a policy uses unless told otherwise: 4 for streaming, 0 for the rest.
int default_sinks(std::string_view policy_name);

}  // namespace foresight
