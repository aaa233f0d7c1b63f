#include "train/draw_log_prob.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.hpp"

namespace foresight {

DrawLogProb parse_draw_log_prob(std::string_view name) {
  if (name == "exact") return DrawLogProb::Exact;
  if (name == "surrogate") return DrawLogProb::Surrogate;
  fail_field("log_prob", ": '{}' is not exact or surrogate", name);
}

std::string_view draw_log_prob_name(DrawLogProb kind) {
  return kind == DrawLogProb::Exact ? "exact" : "surrogate";
}

double draw_log_prob(std::span<const float> phi, int drawn, DrawLogProb kind,
                     std::span<float> dphi) {
  const int n = int(phi.size());
  if (drawn < 0 || drawn > n || (!dphi.empty() && dphi.size() != phi.size()))
    fail("draw_log_prob: {} draws from a pool of {} ({} gradient slots)", drawn, n, dphi.size());
  if (n == 0) return 0;
  // Everything relative to the largest score, so no exponential overflows.
  const double top = *std::max_element(phi.begin(), phi.end());
  std::vector<double> e(static_cast<size_t>(n));
  for (int j = 0; j < n; ++j) e[j] = std::exp(double(phi[j]) - top);
  // rest[t] = sum_{j>=t} e_j: what draw t chooses from (exact); the surrogate always uses
  // rest[0]. Summed from the end, the smallest terms first.
  std::vector<double> rest(size_t(n) + 1, 0.0);
  for (int j = n - 1; j >= 0; --j) rest[j] = rest[j + 1] + e[j];
  double log_p = 0;
  for (int t = 0; t < drawn; ++t)
    log_p += double(phi[t]) - top - std::log(kind == DrawLogProb::Exact ? rest[t] : rest[0]);
  if (dphi.empty()) return log_p;
  // d/dphi_j = [j drawn] - e_j * sum over the draws t whose denominator holds j of 1 / rest[t]:
  // the draws t <= min(j, k - 1) (exact), or all k (surrogate).
  double inverse_sum = 0;
  for (int j = 0; j < n; ++j) {
    if (kind == DrawLogProb::Exact ? j < drawn : j == 0)
      inverse_sum += kind == DrawLogProb::Exact ? 1 / rest[j] : drawn / rest[0];
    dphi[j] = float((j < drawn ? 1.0 : 0.0) - e[j] * inverse_sum);
  }
  return log_p;
}

}  // namespace foresight
