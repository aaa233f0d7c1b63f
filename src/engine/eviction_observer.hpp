// What is told of a sequence's evictions besides the policy that makes them: supervised judge
// training judges each against the future attention, GRPO records the judge's draws, the input
// standardisation sums the judge's inputs. Choosing and recording stay apart: a policy is a
// const, stateless function of the view (one object serves every sequence), while an observer
// belongs to one sequence and keeps what it measures.
#pragma once
#include <cstdint>
#include <span>

#include "kv/attention_stats.hpp"
#include "policy/policy.hpp"

namespace foresight {

class EvictionObserver {
 public:
  virtual ~EvictionObserver() = default;
  // The attention statistics it reads from the candidates; the cache tracks them besides the
  // policy's.
  virtual StatMask stats_needed() const { return 0; }
  // Layer view.layer drops, from every KV head h, the k candidates chosen[h * k, (h + 1) * k),
  // in the order the policy chose them (a sampler's draw order). Called once the policy has
  // chosen and before the cache is compacted, so the view still holds every candidate.
  virtual void evicting(const EvictionView& view, int k, std::span<const int32_t> chosen) = 0;
};

}  // namespace foresight
