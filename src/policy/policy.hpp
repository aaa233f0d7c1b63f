// An eviction policy scores the candidates of one layer at one eviction, for every KV head
// (in the spirit of kvpress's presses). The cache then keeps the best-scored candidates (ties
// go to the more recent entry) unless the policy draws its own eviction set.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.hpp"
#include "kv/attention_stats.hpp"
#include "kv/block_attention.hpp"
#include "kv/kv_cache.hpp"
#include "model/config.hpp"
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
  Rng* rng = nullptr;  // the sequence's generator, for policies that draw
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

// scores[kv_head * n + candidate] = scale * (channel `s` summed over the group's query heads).
inline void group_stat_scores(const EvictionView& v, Stat s, float scale, std::span<float> scores) {
  for (int h = 0; h < v.n_kv_heads; ++h)
    for (int c = 0; c < v.n; ++c) {
      float total = 0;
      for (int slot = 0; slot < v.group; ++slot) total += v.stat(h, c, slot, s);
      scores[int64_t{h} * v.n + c] = scale * total;
    }
}

// The indices of the `k` lowest scores, in ascending order; of equal scores the lower index
// (the older entry) goes first. The cache's one selection rule, shared with Golden Eviction.
void lowest_scores(std::span<const float> scores, int k, std::span<int32_t> out);

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;
  virtual StatMask stats_needed() const { return 0; }
  virtual int recent_queries_needed() const { return 0; }
  // True for an oracle that reads the future (golden): it runs only when replaying a trace
  // whose future attention was recorded, never while generating.
  virtual bool needs_future() const { return false; }
  // Fills scores[kv_head * view.n + candidate]; higher means keep.
  virtual void score(const EvictionView& view, std::span<float> scores) const = 0;
  // Writes, for every KV head, the `k` candidates to evict (indices into the candidates) to
  // evicted[kv_head * k, (kv_head + 1) * k). By default the k lowest scores; a policy that draws
  // its own set (the judge's sampler) overrides this.
  virtual void choose_evictions(const EvictionView& view, int k, std::span<int32_t> evicted) const;
};

// Policies hold no per-sequence state (randomness and the future come through the view), so one
// policy object serves many sequences and threads.

// What some policies need besides their name.
struct PolicyOptions {
  // --judge: judge files, each FILE (the judge of `foresight`) or LABEL=FILE (the judge of
  // `foresight-LABEL`), so that one run can set judges side by side (supervised, RL).
  std::vector<std::string> judges;
  std::string judge_mode = "sample";   // --judge-mode: sample | topk
  const ModelConfig* model = nullptr;  // the model the runs use (a judge must be built for it)
};

// The policy of a name (random, streaming, h2o, tova, snapkv, rkv, golden, live, foresight,
// foresight-LABEL); "full"
// gives null (no eviction). Errors name the command-line option: an unknown name (listing the
// known ones), a foresight run without a usable judge.
std::unique_ptr<Policy> make_policy(std::string_view name, const PolicyOptions& options = {},
                                    std::string_view option = "--policy");
// The sinks a policy uses unless told otherwise: 4 for streaming, 0 for the rest.
int default_sinks(std::string_view policy_name);
// Error unless the policy (null: the full cache) can run while a sequence is generated.
void require_online(const Policy* policy);

}  // namespace foresight
