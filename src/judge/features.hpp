// The judge's input for every candidate of one KV head at one eviction (docs/method.md sections 2,
// 5 and judge/feature_set.hpp), read from the cache. Row c is
//   [key (d: post-RoPE, or with the rotation undone), value (d),
//    for each query head s of the group its statistics channels 0..7 (max, min, sum, last 8,
//    last 16, last 32, cum, cum_decay; raw or as log(x + eps)) at 2d + 8s + channel,
//    then, with the position inputs, log(1 + age), in-prompt (0/1), position / length,
//    then, with key-similarity, the largest cosine of its unrotated key with a newer and with an
//    older entry's].
#pragma once
#include <span>
#include <vector>

#include "judge/judge.hpp"
#include "kv/attention_stats.hpp"
#include "kv/eviction_view.hpp"

namespace foresight {

// The statistics a cache must track for the judge.
constexpr StatMask kJudgeStatMask = (StatMask{1} << kJudgeStats) - 1;

// The raw (unstandardised) inputs, x: [view.n, set.count(head_dim, group)].
void judge_features(const JudgeFeatureSet& set, const EvictionView& view, int kv_head, float* x);

// The inputs the judge's MLP reads (raw, then standardised with the judge's statistics); x is
// resized to [view.n, F].
void judge_inputs(const Judge& judge, const EvictionView& view, int kv_head, std::vector<float>& x);

// The judge's scores phi [view.n] of one KV head's candidates; x receives their inputs.
void judge_scores(const Judge& judge, const EvictionView& view, int kv_head, std::vector<float>& x,
                  std::span<float> phi);

}  // namespace foresight
