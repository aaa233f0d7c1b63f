#include "judge/eviction_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "policy/policy.hpp"

namespace foresight {

void sample_evictions(std::span<const float> phi, int k, Rng& rng, std::span<int32_t> out) {
  const int n = int(phi.size());
  if (k < 0 || k > n || out.size() != size_t(k))
    fail("sample_evictions: cannot draw {} of {} candidates into {} slots", k, n, out.size());
  // The pool: the top min(2k, n) phi, i.e. the lowest -phi (ties: older first), by index.
  std::vector<float> negated(phi.size());
  std::transform(phi.begin(), phi.end(), negated.begin(), [](float p) { return -p; });
  std::vector<int32_t> pool(size_t(std::min(2 * k, n)));
  lowest_scores(negated, int(pool.size()), pool);
  // One uniform per pooled candidate, in index order, so a seed fixes the draw.
  std::vector<double> key(pool.size());
  for (size_t i = 0; i < pool.size(); ++i)
    key[i] = double(phi[pool[i]]) - std::log(-std::log(rng.uniform()));
  std::vector<size_t> order(pool.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return key[a] > key[b] || (key[a] == key[b] && a < b); });
  for (int i = 0; i < k; ++i) out[i] = pool[order[i]];
}

}  // namespace foresight
