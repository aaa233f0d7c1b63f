#include "engine/sequence.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace foresight {

namespace {
SequenceSettings effective(SequenceSettings s) {
  if (s.policy == nullptr) s.schedule.budget = 0;
  s.schedule.validate();
  return s;
}

// A future is checked whatever the policy, since the harm count and observers read it too.
void check_future(const ModelConfig& c, const EvictionSchedule& s, const Policy& policy,
                  const FutureAttention* future) {
  if (future == nullptr) return require_online(&policy);
  if (future->n_layers() != c.n_layers || future->n_kv_heads() != c.n_kv_heads ||
      future->block() != s.evict_every)
    fail(
        "policy '{}': the future attention was recorded for {} layers, {} KV heads and L = {}, "
        "but the run has {} layers, {} KV heads and L = {}",
        policy.name(), future->n_layers(), future->n_kv_heads(), future->block(), c.n_layers,
        c.n_kv_heads, s.evict_every);
}

StatMask stats_read(const SequenceSettings& s) {
  if (!s.schedule.active()) return 0;
  return s.policy->stats_needed() | (s.observer ? s.observer->stats_needed() : 0);
}
}  // namespace

Sequence::Sequence(const ModelConfig& c, SequenceSettings settings)
    : settings_(effective(std::move(settings))),
      attention_stats_(stats_read(settings_)),
      recent_window_(
          settings_.schedule.active()
              ? std::min(settings_.policy->recent_queries_needed(), settings_.schedule.evict_every)
              : 0),
      kv_bytes_per_token_(c.kv_bytes_per_token()),
      cache_(c.n_layers, c.n_kv_heads, c.head_dim, attention_stats_ != 0 ? c.group() : 0,
             settings_.schedule.active() ? settings_.schedule.capacity() : 0),
      rng_(settings_.seed) {
  const EvictionSchedule& s = settings_.schedule;
  if (s.active()) check_future(c, s, *settings_.policy, settings_.future.get());
  if (recent_window_ > 0)
    recent_queries_.assign(c.n_layers,
                           std::vector<float>(size_t(recent_window_) * c.n_heads * c.head_dim));
}

void Sequence::feed(std::span<const int32_t> ids) {
  // The most the cache holds: every layer with these entries appended, none evicted yet.
  stats_.peak_kv_bytes =
      std::max(stats_.peak_kv_bytes, cache_.bytes() + int64_t(ids.size()) * kv_bytes_per_token_);
  tokens_.insert(tokens_.end(), ids.begin(), ids.end());
}

void Sequence::keep_recent_query(int layer, const float* q, int64_t position) {
  if (recent_window_ == 0) return;
  const int64_t L = settings_.schedule.evict_every, from_end = L - position % L;
  if (from_end > recent_window_) return;
  std::vector<float>& kept = recent_queries_[layer];
  const int64_t width = int64_t(kept.size()) / recent_window_;
  std::copy(q, q + width, kept.begin() + (recent_window_ - from_end) * width);
}

}  // namespace foresight
