#include "kv/sequence.hpp"

#include <algorithm>

namespace foresight {

namespace {
EvictionSchedule effective(EvictionSchedule s, const Policy* policy) {
  if (policy == nullptr) s.budget = 0;
  s.validate();
  return s;
}
}  // namespace

Sequence::Sequence(const ModelConfig& c, EvictionSchedule sched,
                   std::shared_ptr<const Policy> pol, uint64_t seed)
    : cache(c.n_layers, c.n_kv_heads, c.head_dim,
            pol && pol->stats_needed() ? c.group() : 0,
            effective(sched, pol.get()).active() ? sched.capacity() : 0),
      schedule(effective(sched, pol.get())),
      policy(std::move(pol)),
      rng(seed) {
  if (policy && schedule.active()) {
    stats = policy->stats_needed();
    recent_window = std::min(policy->recent_queries_needed(), schedule.evict_every);
    recent_queries.assign(c.n_layers,
                          std::vector<float>(size_t(recent_window) * c.n_heads * c.head_dim));
  }
}

}  // namespace foresight
