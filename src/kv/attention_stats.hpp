// The attention statistics a cache entry carries (docs/method.md section 2), one set per query head
// of its KV head's group, updated from the softmax probabilities the attention kernel computes
// anyway. The per-chunk channels restart at every chunk; the cumulative ones fold the chunk's sum
// in when it ends.
#pragma once
#include <cstdint>

namespace foresight {

enum Stat : int {
  kStatMax,    // max over the chunk's queries
  kStatMin,    // min over the chunk's queries that could see the entry
  kStatSum,    // sum over the chunk's queries
  kStatLast8,  // sums over the chunk's last 8, 16 and 32 queries
  kStatLast16,
  kStatLast32,
  kStatCum,        // total attention since the entry entered
  kStatCumDecay,   // 0.9 * previous + this chunk's sum, at each chunk's end
  kStatLastQuery,  // attention from the chunk's last query (TOVA)
  kNumStats
};
using StatMask = uint32_t;
constexpr StatMask stat_bit(Stat s) { return StatMask{1} << s; }
constexpr int kJudgeStats = 8;  // the judge's features are the first eight channels

// One entry's channels for one query head, as stored in the cache.
void reset_chunk_stats(float* stats);  // before the chunk's first query
void end_chunk_stats(float* stats);    // after its last query

// Adds one query's probabilities over `n` entries (stats rows `stride` floats apart).
// `index_in_chunk` is the query's place in its chunk of `chunk_len` queries.
void accumulate_stats(float* stats, int64_t stride, const float* probs, int n, int index_in_chunk,
                      int chunk_len, StatMask mask);

}  // namespace foresight
