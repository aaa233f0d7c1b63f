#include "kv/sequence.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace foresight {

namespace {
EvictionSchedule effective(EvictionSchedule s, const Policy* policy) {
  if (policy == nullptr) s.budget = 0;
  s.validate();
  return s;
}

void check_future(const ModelConfig& c, const EvictionSchedule& s, const Policy& policy,
                  const FutureAttention* future) {
  if (future == nullptr) return require_online(&policy);
  if (future->n_layers() != c.n_layers || future->n_kv_heads() != c.n_kv_heads ||
      future->block() != s.evict_every)
    fail("policy '{}': the future attention was recorded for {} layers, {} KV heads and L = {}, "
         "but the run has {} layers, {} KV heads and L = {}",
         policy.name(), future->n_layers(), future->n_kv_heads(), future->block(), c.n_layers,
         c.n_kv_heads, s.evict_every);
}
}  // namespace

Sequence::Sequence(const ModelConfig& c, EvictionSchedule sched,
                   std::shared_ptr<const Policy> pol, uint64_t seed,
                   std::shared_ptr<const FutureAttention> fut)
    : schedule(effective(sched, pol.get())),
      policy(std::move(pol)),
      stats(schedule.active() ? policy->stats_needed() : 0),
      recent_window(schedule.active()
                        ? std::min(policy->recent_queries_needed(), schedule.evict_every)
                        : 0),
      cache(c.n_layers, c.n_kv_heads, c.head_dim, stats != 0 ? c.group() : 0,
            schedule.active() ? schedule.capacity() : 0),
      rng(seed),
      future(std::move(fut)) {
  if (schedule.active() && policy->needs_future()) check_future(c, schedule, *policy, future.get());
  if (recent_window > 0)
    recent_queries.assign(c.n_layers,
                          std::vector<float>(size_t(recent_window) * c.n_heads * c.head_dim));
}

}  // namespace foresight
