#include "judge/eviction_sampler.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "kv/eviction_view.hpp"

namespace foresight {

std::vector<int32_t> eviction_pool(std::span<const float> phi, int k) {
  const int n = int(phi.size());
  if (k < 0 || k > n) fail("eviction_pool: cannot draw {} of {} candidates", k, n);
  // The top phi are the lowest -phi, picked by the cache's own rule.
  std::vector<float> negated(phi.size());
  std::transform(phi.begin(), phi.end(), negated.begin(), [](float p) { return -p; });
  std::vector<int32_t> pool(size_t(std::min(2 * k, n)));
  lowest_scores(negated, int(pool.size()), pool);
  return pool;
}

void sample_from_pool(std::span<const float> phi, std::span<const int32_t> pool, Rng& rng,
                      std::span<int32_t> out) {
  if (out.size() > pool.size())
    fail("sample_from_pool: cannot draw {} of a pool of {}", out.size(), pool.size());
  std::vector<double> key(pool.size());
  for (size_t i = 0; i < pool.size(); ++i)
    key[i] = double(phi[pool[i]]) - std::log(-std::log(rng.uniform()));
  std::vector<size_t> order(pool.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return key[a] > key[b] || (key[a] == key[b] && a < b); });
  for (size_t i = 0; i < out.size(); ++i) out[i] = pool[order[i]];
}

void sample_evictions(std::span<const float> phi, int k, Rng& rng, std::span<int32_t> out) {
  if (k < 0 || k > int(phi.size()) || out.size() != size_t(k))
    fail("sample_evictions: cannot draw {} of {} candidates into {} slots", k, phi.size(),
         out.size());
  sample_from_pool(phi, eviction_pool(phi, k), rng, out);
}

}  // namespace foresight
