#include "kv/eviction.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "core/error.hpp"

namespace foresight {

void evict_layer(Sequence& seq, int layer, int group, const Rope& rope) {
  const EvictionSchedule& s = seq.schedule;
  KvCache& cache = seq.cache;
  const int count = cache.head(layer, 0).count();
  if (!s.active() || count <= s.budget) return;
  const auto start = std::chrono::steady_clock::now();

  EvictionView view;
  view.layer = layer;
  view.n_kv_heads = cache.n_kv_heads();
  view.head_dim = cache.head_dim();
  view.group = group;
  view.first = std::min(s.sinks_for(seq.prompt_length), count);
  view.prompt_length = seq.prompt_length;
  view.rope = &rope;
  view.n = count - s.evict_every - view.first;
  view.cache = &cache;
  view.rng = &seq.rng;
  view.future = seq.future.get();
  view.tokens = seq.tokens;
  if (seq.recent_window > 0) {
    view.recent_queries = seq.recent_queries[layer].data();
    view.n_recent_queries = seq.recent_window;
  }
  const int n_evict = count - s.budget;
  std::vector<int32_t> chosen(size_t(view.n_kv_heads) * n_evict), keep;
  seq.policy->choose_evictions(view, n_evict, chosen);

  std::vector<char> evicted(view.n);
  const int64_t from_block = seq.future ? view.end_position() / seq.future->block() : 0;
  for (int h = 0; h < view.n_kv_heads; ++h) {
    std::fill(evicted.begin(), evicted.end(), 0);
    for (int i = 0; i < n_evict; ++i) {
      const int32_t c = chosen[size_t(h) * n_evict + i];
      // A policy that draws its own set must name n_evict distinct candidates.
      if (c < 0 || c >= view.n || evicted[c])
        fail("policy '{}' chose an invalid eviction set (candidate {} of {})", seq.policy->name(), c,
             view.n);
      evicted[c] = 1;
      if (seq.future) {
        const float alpha = seq.future->alpha(layer, h, view.position(h, c), from_block);
        seq.harmful_evictions += alpha > seq.harm_threshold;
        seq.evicted_future_attention += alpha;
      }
    }
    keep.clear();
    for (int e = 0; e < count; ++e) {
      const int c = e - view.first;
      if (c < 0 || c >= view.n || !evicted[c]) keep.push_back(e);
    }
    cache.head(layer, h).retain(keep);
  }
  ++seq.evictions;
  seq.eviction_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  seq.evicted_entries += int64_t{n_evict} * view.n_kv_heads;
}

}  // namespace foresight
