#include "engine/attention.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/kernels.hpp"

namespace foresight {

namespace {

// Keys scored per pass over a GQA group's query heads: a tile stays in L1 while every head of
// the group reads it, so a KV head's keys come from memory once per query, not once per head.
constexpr int kKeyTile = 128;

// The share's queries for the query heads of one KV head, in order: the statistics of a query
// head's slot accumulate over the chunk's queries, so no two tasks touch the same numbers.
void attend_group(const ModelConfig& c, const SequenceRows& share, int layer, int kv_head,
                  const float* q, float* out) {
  Sequence& seq = *share.seq;
  const int d = c.head_dim, group = c.group();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  const EvictionSchedule& schedule = seq.settings().schedule;
  AttentionRecorder* recorder = seq.settings().recorder;
  HeadCache& kv = seq.cache().head(layer, kv_head);
  const int64_t stride = kv.stats_stride();
  thread_local std::vector<float> probs;  // [group, visible]: each query head's row
  for (int i = 0; i < share.n; ++i) {
    const int visible = kv.count() - share.n + i + 1;
    const int64_t row = share.first_row + i, position = seq.next_position() + i;
    const float* queries = q + (row * c.n_heads + int64_t{kv_head} * group) * d;
    probs.resize(size_t(group) * visible);
    for (int j = 0; j < visible; j += kKeyTile)
      dot_rows(queries, group, kv.keys() + int64_t{j} * d, std::min(kKeyTile, visible - j), d,
               scale, probs.data() + j, visible);
    softmax_rows(probs.data(), group, visible, visible);
    weighted_rows(probs.data(), visible, group, kv.values(), visible, d,
                  out + (row * c.n_heads + int64_t{kv_head} * group) * d);

    for (int g = 0; g < group; ++g) {
      const int head = kv_head * group + g;
      const float* p = probs.data() + int64_t{g} * visible;
      if (recorder != nullptr)
        recorder->add_query(layer, head, position, p, kv.positions().first(size_t(visible)));

      if (kv.stat_slots() == 0) continue;
      float* stats = kv.stats() + int64_t{g} * kNumStats;
      if (schedule.starts_chunk(position))
        for (int j = 0; j < visible; ++j) reset_chunk_stats(stats + j * stride);
      accumulate_stats(stats, stride, p, visible, static_cast<int>(position % schedule.evict_every),
                       schedule.evict_every, seq.attention_stats());
      if (schedule.ends_chunk(position))
        for (int j = 0; j < visible; ++j) end_chunk_stats(stats + j * stride);
    }
  }
}

}  // namespace

void attend(const ModelConfig& c, std::span<const SequenceRows> shares, int layer, const float* q,
            float* out) {
  const int64_t tasks = int64_t(shares.size()) * c.n_kv_heads;
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t t = 0; t < tasks; ++t)
    attend_group(c, shares[t / c.n_kv_heads], layer, int(t % c.n_kv_heads), q, out);
  for (const SequenceRows& share : shares)
    if (AttentionRecorder* recorder = share.seq->settings().recorder)
      recorder->end_queries(layer, share.seq->next_position(), share.n);
}

}  // namespace foresight
