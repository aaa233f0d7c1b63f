// An eviction policy scores the candidates of one layer at one eviction, one KV head at a time
// (in the spirit of kvpress's presses): a policy writes score_head(), and its hyper-parameters
// are members with defaults that make_policy sets from `name:param=value,...`. The cache then
// keeps the best-scored candidates (ties go to the older entry) unless the policy draws its
// own eviction set.
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

// Channel `s` of a candidate's statistics summed over the group's query heads.
inline float group_stat(const EvictionView& v, int kv_head, int candidate, Stat s) {
  float total = 0;
  for (int slot = 0; slot < v.group; ++slot) total += v.stat(kv_head, candidate, slot, s);
  return total;
}

// A hyper-parameter: a member of the policy, its allowed range, and what it does.
struct PolicyParam {
  std::string_view name;
  double* value;
  double min, max;
  bool integer;
  std::string_view help;
};

// The indices of the `k` lowest scores, in ascending order; of equal scores the lower index
// (the older entry) goes first. The cache's one selection rule, shared with Golden Eviction.
void lowest_scores(std::span<const float> scores, int k, std::span<int32_t> out);

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;
  virtual StatMask stats_needed() const { return 0; }
  virtual int recent_queries_needed() const { return 0; }
  // The sinks (first tokens never evicted) the policy uses unless told otherwise.
  virtual int default_sinks() const { return 0; }
  // True for an oracle that reads the future (golden): it runs only when replaying a trace
  // whose future attention was recorded, never while generating.
  virtual bool needs_future() const { return false; }
  // The settable hyper-parameters, pointing at this policy's members (set before it is shared).
  virtual std::vector<PolicyParam> params() { return {}; }
  // out[candidate] for one KV head's candidates; higher means keep.
  virtual void score_head(const EvictionView& view, int kv_head, std::span<float> out) const;
  // Fills scores[kv_head * view.n + candidate]: score_head for each head, unless a policy
  // scores the heads together.
  virtual void score(const EvictionView& view, std::span<float> scores) const;
  // Writes, for every KV head, the `k` candidates to evict (indices into the candidates) to
  // evicted[kv_head * k, (kv_head + 1) * k). By default the k lowest scores; a policy that draws
  // its own set (the judge's sampler) overrides this.
  virtual void choose_evictions(const EvictionView& view, int k, std::span<int32_t> evicted) const;
};

// Policies hold no per-sequence state (randomness and the future come through the view), so one
// policy object serves many sequences and threads. What a run records at each eviction is an
// EvictionObserver's (kv/eviction_observer.hpp), one per sequence.

// What some policies need besides their name.
struct PolicyOptions {
  // --judge: judge files, each FILE (the judge of `foresight`) or LABEL=FILE (the judge of
  // `foresight-LABEL`), so that one run can set judges side by side (supervised, RL).
  std::vector<std::string> judges;
  std::string judge_mode = "sample";   // --judge-mode: sample | topk
  const ModelConfig* model = nullptr;  // the model the runs use (a judge must be built for it)
};

// The policy of a spec, `name` or `name:param=value,param=value` (e.g. "snapkv:window=16"):
// random, streaming, h2o, tova, snapkv, rkv, golden, live, foresight, foresight-LABEL; "full"
// gives null (no eviction). Errors name the command-line option: an unknown name (listing the
// known ones), an unknown or out-of-range parameter (listing the policy's), a foresight run
// without a usable judge.
std::unique_ptr<Policy> make_policy(std::string_view spec, const PolicyOptions& options = {},
                                    std::string_view option = "--policy");
// Every registered name, "full" first, in the order `foresight policies` lists them.
std::vector<std::string_view> policy_names();
// One line per policy: its name, what it keeps (and whose method it follows), its parameters
// with their defaults; for `foresight policies`.
std::string policy_help();
// The sinks a policy uses unless told otherwise (none for the full cache, null).
inline int default_sinks(const Policy* policy) { return policy ? policy->default_sinks() : 0; }
// Error unless the policy (null: the full cache) can run while a sequence is generated.
void require_online(const Policy* policy);

}  // namespace foresight
