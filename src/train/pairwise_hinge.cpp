#include "train/pairwise_hinge.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/error.hpp"

namespace foresight {

PairWeight parse_pair_weight(std::string_view name) {
  if (name == "uniform") return PairWeight::Uniform;
  if (name == "weighted") return PairWeight::TargetGap;
  fail_field("loss",
             ": '{}' is not uniform (the paper's hinge) or weighted (pairs weighted by their "
             "target gap)",
             name);
}

std::string pair_weight_name(PairWeight w) {
  return w == PairWeight::Uniform ? "uniform" : "weighted";
}

namespace {

// What the Fenwick tree sums over a set of candidates.
struct Sums {
  int64_t count = 0;
  double phi = 0, target = 0, target_phi = 0;

  Sums& operator+=(const Sums& o) {
    count += o.count, phi += o.phi, target += o.target, target_phi += o.target_phi;
    return *this;
  }
  Sums operator-(const Sums& o) const {
    return {count - o.count, phi - o.phi, target - o.target, target_phi - o.target_phi};
  }
};

// Sums over a set of candidates, indexed by the candidates' phi ranks.
class Fenwick {
 public:
  explicit Fenwick(size_t n) : tree_(n + 1) {}
  void add(size_t rank, const Sums& s) {
    for (size_t i = rank + 1; i < tree_.size(); i += i & (~i + 1)) tree_[i] += s;
  }
  Sums below(size_t end) const {  // over ranks < end
    Sums s;
    for (size_t i = end; i > 0; i -= i & (~i + 1)) s += tree_[i];
    return s;
  }

 private:
  std::vector<Sums> tree_;
};

}  // namespace

PairwiseHinge pairwise_hinge(std::span<const float> targets, std::span<const float> phi,
                             float margin, PairWeight weight, std::span<float> dphi) {
  const size_t n = phi.size();
  if (targets.size() != n || (!dphi.empty() && dphi.size() != n))
    fail("pairwise_hinge: {} targets, {} scores and {} gradients", targets.size(), n, dphi.size());
  const bool gap = weight == PairWeight::TargetGap;
  // by_target: candidates in ascending target; rank[i]: candidate i's slot in ascending phi.
  std::vector<int32_t> by_target(n), by_phi(n);
  std::iota(by_target.begin(), by_target.end(), 0);
  std::iota(by_phi.begin(), by_phi.end(), 0);
  std::stable_sort(by_target.begin(), by_target.end(),
                   [&](int32_t a, int32_t b) { return targets[a] < targets[b]; });
  std::stable_sort(by_phi.begin(), by_phi.end(),
                   [&](int32_t a, int32_t b) { return phi[a] < phi[b]; });
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
  const auto sums_of = [&](int32_t i) {
    const double t = targets[i], p = phi[i];
    return Sums{1, p, t, t * p};
  };

  PairwiseHinge r;
  double total_weight = 0;
  std::vector<double> grad(n, 0.0);
  // Upward: each i against every j of a lower target (inserted before i's group). Violated
  // pairs have phi_j >= phi_i - margin; each adds w_ij (margin - phi_i + phi_j) to the loss.
  Fenwick lower(n);
  for (size_t g = 0; g < n;) {
    size_t end = g;
    while (end < n && targets[by_target[end]] == targets[by_target[g]]) ++end;
    for (size_t a = g; a < end; ++a) {
      const int32_t i = by_target[a];
      const double t = targets[i], slack = double(margin) - phi[i];
      const Sums all = lower.below(n);
      const Sums bad = all - lower.below(first_at_least(phi[i] - margin));
      r.pairs += all.count;
      r.violated += bad.count;
      r.correct += lower.below(first_at_least(phi[i])).count;
      if (gap) {  // sum over j of (t - t_j)(slack + phi_j)
        total_weight += double(all.count) * t - all.target;
        const double w = double(bad.count) * t - bad.target;
        r.loss += w * slack + t * bad.phi - bad.target_phi;
        grad[i] -= w;
      } else {
        total_weight += double(all.count);
        r.loss += double(bad.count) * slack + bad.phi;
        grad[i] -= double(bad.count);
      }
    }
    for (size_t a = g; a < end; ++a) lower.add(rank[by_target[a]], sums_of(by_target[a]));
    g = end;
  }
  // Downward: each j against every i of a higher target; violated when phi_i <= phi_j + margin.
  Fenwick higher(n);
  for (size_t g = n; g > 0;) {
    size_t begin = g;
    while (begin > 0 && targets[by_target[begin - 1]] == targets[by_target[g - 1]]) --begin;
    for (size_t a = begin; a < g; ++a) {
      const int32_t j = by_target[a];
      const Sums bad = higher.below(first_above(phi[j] + margin));
      grad[j] += gap ? bad.target - double(bad.count) * targets[j] : double(bad.count);
    }
    for (size_t a = begin; a < g; ++a) higher.add(rank[by_target[a]], sums_of(by_target[a]));
    g = begin;
  }
  if (r.pairs == 0 || total_weight <= 0) {
    std::fill(dphi.begin(), dphi.end(), 0.0f);
    r.loss = 0;
    return r;
  }
  r.loss /= total_weight;
  for (size_t i = 0; i < dphi.size(); ++i) dphi[i] = float(grad[i] / total_weight);
  return r;
}

}  // namespace foresight
