// R-KV: SnapKV's importance minus redundancy, so that of several near-identical keys (a
// reasoning trace repeats itself) only one needs to stay.
#include <cmath>
#include <vector>

#include "core/kernels.hpp"
#include "policy/snapkv.hpp"

namespace foresight {

// Per head: cosine similarity of each candidate key to the others (diagonal zeroed), each
// row's most recent near-duplicate (similarity above 0.5) exempted, the mean over rows,
// softmax over keys.
void rkv_redundancy(const EvictionView& v, int kv_head, std::span<float> out) {
  const int n = v.n, d = v.head_dim;
  std::vector<float> unit(size_t(n) * d), sim(size_t(n) * n);
  for (int c = 0; c < n; ++c) {
    const float* k = v.key(kv_head, c);
    const float norm = std::sqrt(dot(k, k, d)) + 1e-8f;
    for (int i = 0; i < d; ++i) unit[size_t(c) * d + i] = k[i] / norm;
  }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      sim[size_t(i) * n + j] = i == j ? 0.0f : dot(&unit[size_t(i) * d], &unit[size_t(j) * d], d);
  for (int i = 0; i < n; ++i) {
    for (int j = n - 1; j >= 0; --j) {
      if (sim[size_t(i) * n + j] > 0.5f) {
        sim[size_t(i) * n + j] = 0.0f;
        break;
      }
    }
  }
  for (int j = 0; j < n; ++j) {
    double total = 0;
    for (int i = 0; i < n; ++i) total += sim[size_t(i) * n + j];
    out[j] = static_cast<float>(total / n);
  }
  softmax(out.data(), n);
}

namespace {

class RkvPolicy final : public Policy {
 public:
  std::string_view name() const override { return "rkv"; }
  int recent_queries_needed() const override { return kSnapKvWindow; }
  void score(const EvictionView& v, std::span<float> scores) const override {
    snapkv_scores(v, scores);
    std::vector<float> redundancy(v.n);
    for (int h = 0; h < v.n_kv_heads; ++h) {
      rkv_redundancy(v, h, redundancy);
      float* s = scores.data() + int64_t{h} * v.n;
      for (int c = 0; c < v.n; ++c) s[c] = 0.1f * s[c] - 0.9f * redundancy[c];
    }
  }
};

}  // namespace

std::unique_ptr<Policy> make_rkv_policy(const PolicyOptions&) {
  return std::make_unique<RkvPolicy>();
}

}  // namespace foresight
