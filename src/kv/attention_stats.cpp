#include "kv/attention_stats.hpp"

#include <algorithm>
#include <limits>

namespace foresight {

void reset_chunk_stats(float* s) {
  s[kStatMax] = 0.0f;  // probabilities are >= 0
  s[kStatMin] = std::numeric_limits<float>::infinity();
  s[kStatSum] = s[kStatLast8] = s[kStatLast16] = s[kStatLast32] = s[kStatLastQuery] = 0.0f;
}

void end_chunk_stats(float* s) {
  s[kStatCum] += s[kStatSum];
  s[kStatCumDecay] = 0.9f * s[kStatCumDecay] + s[kStatSum];
}

void accumulate_stats(float* stats, int64_t stride, const float* probs, int n, int index_in_chunk,
                      int chunk_len, StatMask mask) {
  // One pass per channel keeps each loop simple enough to vectorise.
  auto add_to = [&](Stat channel) {
    for (int j = 0; j < n; ++j) stats[j * stride + channel] += probs[j];
  };
  const int from_end = chunk_len - index_in_chunk;  // 1 for the chunk's last query
  if (mask & stat_bit(kStatMax))
    for (int j = 0; j < n; ++j)
      stats[j * stride + kStatMax] = std::max(stats[j * stride + kStatMax], probs[j]);
  if (mask & stat_bit(kStatMin))
    for (int j = 0; j < n; ++j)
      stats[j * stride + kStatMin] = std::min(stats[j * stride + kStatMin], probs[j]);
  // The cumulative channels are built from the sum, so they need it too.
  if (mask & (stat_bit(kStatSum) | stat_bit(kStatCum) | stat_bit(kStatCumDecay))) add_to(kStatSum);
  if ((mask & stat_bit(kStatLast8)) && from_end <= 8) add_to(kStatLast8);
  if ((mask & stat_bit(kStatLast16)) && from_end <= 16) add_to(kStatLast16);
  if ((mask & stat_bit(kStatLast32)) && from_end <= 32) add_to(kStatLast32);
  if ((mask & stat_bit(kStatLastQuery)) && from_end == 1) add_to(kStatLastQuery);
}

}  // namespace foresight
