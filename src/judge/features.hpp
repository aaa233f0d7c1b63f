// The judge's input for every candidate of one KV head at one eviction (SPEC sections 2, 5),
// read from the cache: x[c] = [post-RoPE key (d), value (d), then for each query head s of the
// group its statistics channels 0..7 (max, min, sum, last 8, last 16, last 32, cum, cum_decay)
// at 2d + 8s + channel]. F = 2d + 8g.
#pragma once
#include <span>
#include <vector>

#include "judge/judge.hpp"
#include "kv/attention_stats.hpp"
#include "policy/policy.hpp"

namespace foresight {

// The statistics a cache must track for the judge.
constexpr StatMask kJudgeStatMask = (StatMask{1} << kJudgeStats) - 1;

// x: [view.n, 2 * head_dim + 8 * group].
void judge_features(const EvictionView& view, int kv_head, float* x);

// The judge's scores phi [view.n] of one KV head's candidates; x receives their features.
void judge_scores(const Judge& judge, const EvictionView& view, int kv_head, std::vector<float>& x,
                  std::span<float> phi);

}  // namespace foresight
