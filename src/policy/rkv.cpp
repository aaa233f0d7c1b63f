// R-KV: SnapKV's importance minus redundancy, so that of several near-identical keys (a
// reasoning trace repeats itself) only one needs to stay.
#include <cmath>
#include <vector>

#include "core/kernels.hpp"
#include "policy/snapkv.hpp"

namespace foresight {

// Per head: cosine similarity of each candidate key to the others (diagonal zeroed), each
// row's most recent near-duplicate (similarity above `threshold`) exempted, the mean over rows,
// softmax over keys.
void rkv_redundancy(const EvictionView& v, int kv_head, float threshold, std::span<float> out) {
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
      if (sim[size_t(i) * n + j] > threshold) {
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
  std::vector<PolicyParam> params() override {
    std::vector<PolicyParam> p = {
        {"lambda", &lambda_, 0, 1, false, "importance's weight; redundancy's is 1 - lambda"},
        {"threshold", &threshold_, -1, 1, false, "cosine above which a key is a near-duplicate"}};
    snapkv_.add_to(p);
    return p;
  }
  int recent_queries_needed() const override { return int(snapkv_.window); }
  void score_head(const EvictionView& v, int h, std::span<float> out) const override {
    snapkv_scores(v, h, int(snapkv_.kernel), out);
    std::vector<float> redundancy(v.n);
    rkv_redundancy(v, h, float(threshold_), redundancy);
    const float importance = float(lambda_), redundant = float(1 - lambda_);
    for (int c = 0; c < v.n; ++c) out[c] = importance * out[c] - redundant * redundancy[c];
  }

 private:
  double lambda_ = 0.1, threshold_ = 0.5;
  SnapKvParams snapkv_;
};

}  // namespace

std::unique_ptr<Policy> make_rkv_policy(const PolicyOptions&) {
  return std::make_unique<RkvPolicy>();
}

}  // namespace foresight
