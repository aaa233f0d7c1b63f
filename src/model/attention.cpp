#include "model/attention.hpp"

#include <cmath>
#include <vector>

#include "core/kernels.hpp"

namespace foresight {

namespace {

// The share's queries of one query head, in order: the statistics of a query head's slot
// accumulate over the chunk's queries, so no two tasks touch the same numbers.
void attend_head(const ModelConfig& c, const SequenceRows& share, int layer, int head,
                 const float* q, float* out) {
  Sequence& seq = *share.seq;
  const int d = c.head_dim, group = c.group();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  const EvictionSchedule& schedule = seq.schedule;
  HeadCache& kv = seq.cache.head(layer, head / group);
  float* stats = kv.stat_slots() > 0 ? kv.stats() + int64_t{head % group} * kNumStats : nullptr;
  const int64_t stride = kv.stats_stride();
  thread_local std::vector<float> probs;
  for (int i = 0; i < share.n; ++i) {
    const int visible = kv.count() - share.n + i + 1;
    const int64_t row = share.first_row + i, position = seq.next_position + i;
    const float* query = q + (row * c.n_heads + head) * d;
    probs.resize(static_cast<size_t>(visible));
    dot_rows(query, kv.keys(), visible, d, probs.data());
    for (float& p : probs) p *= scale;
    softmax(probs.data(), visible);
    weighted_rows(probs.data(), kv.values(), visible, d, out + (row * c.n_heads + head) * d);
    if (seq.recorder != nullptr)
      seq.recorder->add_query(layer, head, position, probs.data(),
                              kv.positions().first(size_t(visible)));

    if (stats == nullptr) continue;
    if (schedule.starts_chunk(position))
      for (int j = 0; j < visible; ++j) reset_chunk_stats(stats + j * stride);
    accumulate_stats(stats, stride, probs.data(), visible,
                     static_cast<int>(position % schedule.evict_every), schedule.evict_every,
                     seq.stats);
    if (schedule.ends_chunk(position))
      for (int j = 0; j < visible; ++j) end_chunk_stats(stats + j * stride);
  }
}

}  // namespace

void attend(const ModelConfig& c, std::span<const SequenceRows> shares, int layer,
            const float* q, float* out) {
  const int64_t tasks = int64_t(shares.size()) * c.n_heads;
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t t = 0; t < tasks; ++t)
    attend_head(c, shares[t / c.n_heads], layer, int(t % c.n_heads), q, out);
  for (const SequenceRows& share : shares)
    if (share.seq->recorder != nullptr)
      share.seq->recorder->end_queries(layer, share.seq->next_position, share.n);
}

}  // namespace foresight
