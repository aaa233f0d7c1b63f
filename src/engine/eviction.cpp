#include "engine/eviction.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "core/error.hpp"

namespace foresight {

namespace {

// evicted[h * n + c]: whether head h drops candidate c. A policy that draws its own set must
// name k distinct candidates per head.
std::vector<char> evicted_mask(const EvictionView& v, int k, std::span<const int32_t> chosen,
                               const Policy& policy) {
  std::vector<char> evicted(size_t(v.n_kv_heads) * v.n);
  for (int h = 0; h < v.n_kv_heads; ++h) {
    char* head = evicted.data() + size_t(h) * v.n;
    for (const int32_t c : chosen.subspan(size_t(h) * k, size_t(k))) {
      if (c < 0 || c >= v.n || head[c])
        fail("policy '{}' chose an invalid eviction set (candidate {} of {})", policy.name(), c,
             v.n);
      head[c] = 1;
    }
  }
  return evicted;
}

// The harm of the chosen evictions, by the replayed trace's future attention: the stats' own
// count, beside the observer rather than one. Its sums belong to the sequence (an observer
// inside the sequence pointing at them would dangle once the sequence is moved), and the one
// observer slot stays the caller's (a judged replay counts its harm too).
void count_harm(const EvictionView& v, int k, std::span<const int32_t> chosen, float threshold,
                EvictionStats& stats) {
  const int64_t from_block = v.end_position() / v.future->block();
  for (int h = 0; h < v.n_kv_heads; ++h)
    for (const int32_t c : chosen.subspan(size_t(h) * k, size_t(k))) {
      const float alpha = v.future->alpha(v.layer, h, v.position(h, c), from_block);
      stats.harmful_evictions += alpha > threshold;
      stats.evicted_future_attention += alpha;
    }
}

}  // namespace

void evict_layer(Sequence& seq, int layer, int group, const Rope& rope) {
  const SequenceSettings& settings = seq.settings();
  const EvictionSchedule& s = settings.schedule;
  KvCache& cache = seq.cache_;
  const int count = cache.head(layer, 0).count();
  if (!s.active() || count <= s.budget) return;
  const auto start = std::chrono::steady_clock::now();

  EvictionView view;
  view.layer = layer;
  view.n_kv_heads = cache.n_kv_heads();
  view.head_dim = cache.head_dim();
  view.group = group;
  view.first = std::min(s.sinks_for(settings.prompt_length), count);
  view.prompt_length = settings.prompt_length;
  view.rope = &rope;
  view.n = count - s.recent_for(view.first) - view.first;  // >= count - B: sinks + window <= B
  view.cache = &cache;
  view.rng = &seq.rng_;
  view.future = settings.future.get();
  view.tokens = seq.tokens_;
  if (seq.recent_window_ > 0) {
    view.recent_queries = seq.recent_queries_[layer].data();
    view.n_recent_queries = seq.recent_window_;
  }
  const int n_evict = count - s.budget;
  std::vector<int32_t> chosen(size_t(view.n_kv_heads) * n_evict), keep;
  settings.policy->choose_evictions(view, n_evict, chosen);
  const std::vector<char> evicted = evicted_mask(view, n_evict, chosen, *settings.policy);
  if (view.future) count_harm(view, n_evict, chosen, settings.harm_threshold, seq.stats_);
  if (settings.observer) settings.observer->evicting(view, n_evict, chosen);

  for (int h = 0; h < view.n_kv_heads; ++h) {
    keep.clear();
    for (int e = 0; e < count; ++e) {
      const int c = e - view.first;
      if (c < 0 || c >= view.n || !evicted[size_t(h) * view.n + c]) keep.push_back(e);
    }
    cache.head(layer, h).retain(keep);
  }
  EvictionStats& stats = seq.stats_;
  ++stats.evictions;
  stats.eviction_seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stats.evicted_entries += int64_t{n_evict} * view.n_kv_heads;
}

}  // namespace foresight
