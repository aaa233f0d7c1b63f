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
    : schedule(effective(sched, pol.get())),
      policy(std::move(pol)),
      stats(schedule.active() ? policy->stats_needed() : 0),
      recent_window(schedule.active()
                        ? std::min(policy->recent_queries_needed(), schedule.evict_every)
                        : 0),
      cache(c.n_layers, c.n_kv_heads, c.head_dim, stats != 0 ? c.group() : 0,
            schedule.active() ? schedule.capacity() : 0),
      rng(seed) {
  if (recent_window > 0)
    recent_queries.assign(c.n_layers,
                          std::vector<float>(size_t(recent_window) * c.n_heads * c.head_dim));
}

}  // namespace foresight
