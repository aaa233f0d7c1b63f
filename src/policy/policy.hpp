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

#include "kv/attention_stats.hpp"
#include "kv/eviction_view.hpp"
#include "model/config.hpp"

namespace foresight {

// A hyper-parameter: a member of the policy, its allowed range, and what it does.
struct PolicyParam {
  std::string_view name;
  double* value;
  double min, max;
  bool integer;
  std::string_view help;
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;
  virtual StatMask stats_needed() const { return 0; }
  virtual int recent_queries_needed() const { return 0; }
  // The sinks (first tokens never evicted) the policy uses unless told otherwise.
  virtual int default_sinks() const { return 0; }
  // The newest tokens it leaves alone unless told otherwise (--recent's text; "" = L).
  virtual std::string default_recent() const { return ""; }
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
// EvictionObserver's (engine/eviction_observer.hpp), one per sequence.

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
// gives null (no eviction). FieldErrors name `field`: an unknown name (listing the
// known ones), an unknown or out-of-range parameter (listing the policy's), a foresight run
// without a usable judge.
std::unique_ptr<Policy> make_policy(std::string_view spec, const PolicyOptions& options = {},
                                    std::string_view field = "policy");
// Every registered name, "full" first, in the order `foresight policies` lists them.
std::vector<std::string_view> policy_names();
// One line per policy: its name, what it keeps (and whose method it follows), its parameters
// with their defaults; for `foresight policies`.
std::string policy_help();
// The sinks a policy uses unless told otherwise (none for the full cache, null).
inline int default_sinks(const Policy* policy) { return policy ? policy->default_sinks() : 0; }
inline std::string default_recent(const Policy* policy) {
  return policy ? policy->default_recent() : "";
}
// Error unless the policy (null: the full cache) can run while a sequence is generated.
void require_online(const Policy* policy);

}  // namespace foresight
