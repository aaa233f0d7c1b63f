#include "dist/deal.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"

namespace foresight {

std::vector<int> deal_by_cost(std::span<const int64_t> costs, int ranks) {
  if (ranks < 1) fail("deal_by_cost: {} ranks", ranks);
  std::vector<size_t> order(costs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return costs[a] > costs[b]; });
  std::vector<int64_t> load(size_t(ranks), 0);
  std::vector<int> owner(costs.size());
  for (const size_t i : order) {
    const auto lightest = std::min_element(load.begin(), load.end());
    owner[i] = int(lightest - load.begin());
    *lightest += costs[i];
  }
  return owner;
}

}  // namespace foresight
