#include "judge/features.hpp"

#include <algorithm>

namespace foresight {

void judge_features(const EvictionView& v, int kv_head, float* x) {
  const int d = v.head_dim, F = 2 * d + kJudgeStats * v.group;
  const HeadCache& head = v.head(kv_head);
  for (int c = 0; c < v.n; ++c) {
    float* row = x + int64_t{c} * F;
    std::copy(v.key(kv_head, c), v.key(kv_head, c) + d, row);
    std::copy(v.value(kv_head, c), v.value(kv_head, c) + d, row + d);
    const float* stats = head.stats() + head.stats_stride() * (v.first + c);
    for (int s = 0; s < v.group; ++s)
      std::copy(stats + kNumStats * s, stats + kNumStats * s + kJudgeStats, row + 2 * d + kJudgeStats * s);
  }
}

void judge_scores(const Judge& judge, const EvictionView& v, int kv_head, std::vector<float>& x,
                  std::span<float> phi) {
  x.resize(size_t(v.n) * judge.shape().features());
  judge_features(v, kv_head, x.data());
  judge_forward(judge.head(v.layer, kv_head), x.data(), v.n, phi.data());
}

}  // namespace foresight
