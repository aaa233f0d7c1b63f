#include "train/pairwise_hinge.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/error.hpp"

namespace foresight {

namespace {

// Counts and sums over a set of values, indexed by the values' ranks.
class Fenwick {
 public:
  explicit Fenwick(size_t n) : count_(n + 1), sum_(n + 1) {}
  void add(size_t rank, double value) {
    for (size_t i = rank + 1; i < count_.size(); i += i & (~i + 1)) ++count_[i], sum_[i] += value;
  }
  // Count and sum of the values with rank < end.
  std::pair<int64_t, double> below(size_t end) const {
    int64_t c = 0;
    double s = 0;
    for (size_t i = end; i > 0; i -= i & (~i + 1)) c += count_[i], s += sum_[i];
    return {c, s};
  }

 private:
  std::vector<int64_t> count_;
  std::vector<double> sum_;
};

}  // namespace

PairwiseHinge pairwise_hinge(std::span<const float> targets, std::span<const float> phi,
                             float margin, std::span<float> dphi) {
  const size_t n = phi.size();
  if (targets.size() != n || (!dphi.empty() && dphi.size() != n))
    fail("pairwise_hinge: {} targets, {} scores and {} gradients", targets.size(), n, dphi.size());
  // by_target: candidates in ascending target; rank[i]: candidate i's slot in ascending phi.
  std::vector<int32_t> by_target(n), by_phi(n);
  std::iota(by_target.begin(), by_target.end(), 0);
  std::iota(by_phi.begin(), by_phi.end(), 0);
  std::stable_sort(by_target.begin(), by_target.end(),
                   [&](int32_t a, int32_t b) { return targets[a] < targets[b]; });
  std::stable_sort(by_phi.begin(), by_phi.end(), [&](int32_t a, int32_t b) { return phi[a] < phi[b]; });
  std::vector<float> sorted_phi(n);
  std::vector<size_t> rank(n);
  for (size_t r = 0; r < n; ++r) sorted_phi[r] = phi[by_phi[r]], rank[by_phi[r]] = r;
  // The slot of the first phi >= t, and of the first phi > t.
  const auto first_at_least = [&](float t) {
    return size_t(std::lower_bound(sorted_phi.begin(), sorted_phi.end(), t) - sorted_phi.begin());
  };
  const auto first_above = [&](float t) {
    return size_t(std::upper_bound(sorted_phi.begin(), sorted_phi.end(), t) - sorted_phi.begin());
  };

  PairwiseHinge r;
  std::vector<double> grad(n, 0.0);
  // Upward: each i against every j of a lower target (inserted before i's group). Violated
  // pairs have phi_j >= phi_i - margin; each adds margin - phi_i + phi_j to the loss.
  Fenwick lower(n);
  for (size_t g = 0; g < n;) {
    size_t end = g;
    while (end < n && targets[by_target[end]] == targets[by_target[g]]) ++end;
    for (size_t a = g; a < end; ++a) {
      const int32_t i = by_target[a];
      const auto [all, all_sum] = lower.below(n);
      const auto [ok, ok_sum] = lower.below(first_at_least(phi[i] - margin));
      const int64_t bad = all - ok;
      r.pairs += all;
      r.violated += bad;
      r.correct += lower.below(first_at_least(phi[i])).first;
      r.loss += double(bad) * (double(margin) - phi[i]) + (all_sum - ok_sum);
      grad[i] -= double(bad);
    }
    for (size_t a = g; a < end; ++a) lower.add(rank[by_target[a]], phi[by_target[a]]);
    g = end;
  }
  // Downward: each j against every i of a higher target; violated when phi_i <= phi_j + margin.
  Fenwick higher(n);
  for (size_t g = n; g > 0;) {
    size_t begin = g;
    while (begin > 0 && targets[by_target[begin - 1]] == targets[by_target[g - 1]]) --begin;
    for (size_t a = begin; a < g; ++a) {
      const int32_t j = by_target[a];
      grad[j] += double(higher.below(first_above(phi[j] + margin)).first);
    }
    for (size_t a = begin; a < g; ++a) higher.add(rank[by_target[a]], 0.0);
    g = begin;
  }
  if (r.pairs == 0) {
    std::fill(dphi.begin(), dphi.end(), 0.0f);
    return r;
  }
  r.loss /= double(r.pairs);
  for (size_t i = 0; i < dphi.size(); ++i) dphi[i] = float(grad[i] / double(r.pairs));
  return r;
}

}  // namespace foresight
