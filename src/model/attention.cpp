#include "model/attention.hpp"

#include <cmath>
#include <cstring>
#include <vector>

#include "core/kernels.hpp"

namespace foresight {

void attend(const ModelConfig& c, Sequence& seq, int layer, const float* q, int n,
            int64_t first_position, float* out) {
  const int d = c.head_dim, group = c.group();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  const EvictionSchedule& schedule = seq.schedule;
  const StatMask mask = seq.stats;
  // One task per query head, its queries in order: the statistics of a query head's slot
  // accumulate over the chunk's queries, so no two tasks touch the same numbers.
#pragma omp parallel for schedule(dynamic, 1)
  for (int head = 0; head < c.n_heads; ++head) {
    HeadCache& kv = seq.cache.head(layer, head / group);
    float* stats = kv.stat_slots() > 0 ? kv.stats() + int64_t{head % group} * kNumStats : nullptr;
    const int64_t stride = kv.stats_stride();
    thread_local std::vector<float> probs;
    for (int i = 0; i < n; ++i) {
      const int visible = kv.count() - n + i + 1;
      const float* query = q + (int64_t{i} * c.n_heads + head) * d;
      probs.resize(static_cast<size_t>(visible));
      for (int j = 0; j < visible; ++j)
        probs[j] = dot(query, kv.keys() + int64_t{j} * d, d) * scale;
      softmax(probs.data(), visible);
      float* o = out + (int64_t{i} * c.n_heads + head) * d;
      std::memset(o, 0, sizeof(float) * d);
      for (int j = 0; j < visible; ++j) axpy(probs[j], kv.values() + int64_t{j} * d, o, d);
      if (seq.recorder != nullptr)
        seq.recorder->add_query(layer, head, first_position + i, probs.data(),
                                kv.positions().first(size_t(visible)));

      if (stats == nullptr) continue;
      const int64_t position = first_position + i;
      if (schedule.starts_chunk(position))
        for (int j = 0; j < visible; ++j) reset_chunk_stats(stats + j * stride);
      accumulate_stats(stats, stride, probs.data(), visible,
                       static_cast<int>(position % schedule.evict_every), schedule.evict_every,
                       mask);
      if (schedule.ends_chunk(position))
        for (int j = 0; j < visible; ++j) end_chunk_stats(stats + j * stride);
    }
  }
  if (seq.recorder != nullptr) seq.recorder->end_queries(layer, first_position, n);
}

}  // namespace foresight
