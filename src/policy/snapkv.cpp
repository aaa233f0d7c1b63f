// SnapKV: keep what the last queries attend to, pooled so that a kept token keeps its
// neighbours.
#include "policy/snapkv.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/kernels.hpp"

namespace foresight {

void snapkv_scores(const EvictionView& v, int h, int kernel, std::span<float> out) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(v.head_dim));
  const int n_heads = v.n_kv_heads * v.group;
  std::vector<float> logits(v.n), mean(v.n, 0.0f);
  for (int w = 0; w < v.n_recent_queries; ++w) {
    std::fill(logits.begin(), logits.end(), -INFINITY);
    for (int s = 0; s < v.group; ++s) {
      const float* q = v.recent_queries + (int64_t{w} * n_heads + h * v.group + s) * v.head_dim;
      for (int c = 0; c < v.n; ++c)
        logits[c] = std::max(logits[c], dot(q, v.key(h, c), v.head_dim) * scale);
    }
    softmax(logits.data(), v.n);
    for (int c = 0; c < v.n; ++c) mean[c] += logits[c] / static_cast<float>(v.n_recent_queries);
  }
  // Max-pooling keeps the neighbours of an important token: a fact spans several tokens.
  const int half = kernel / 2;
  for (int c = 0; c < v.n; ++c) {
    float m = 0;
    for (int k = std::max(0, c - half); k <= std::min(v.n - 1, c + half); ++k)
      m = std::max(m, mean[k]);
    out[c] = m;
  }
}

namespace {

class SnapKvPolicy final : public Policy {
 public:
  std::string_view name() const override { return "snapkv"; }
  std::vector<PolicyParam> params() override {
    std::vector<PolicyParam> p;
    params_.add_to(p);
    return p;
  }
  int recent_queries_needed() const override { return int(params_.window); }
  void score_head(const EvictionView& v, int h, std::span<float> out) const override {
    snapkv_scores(v, h, int(params_.kernel), out);
  }

 private:
  SnapKvParams params_;
};

}  // namespace

std::unique_ptr<Policy> make_snapkv_policy(const PolicyOptions&) {
  return std::make_unique<SnapKvPolicy>();
}

}  // namespace foresight
