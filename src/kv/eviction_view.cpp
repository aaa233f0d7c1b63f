#include "kv/eviction_view.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/error.hpp"

namespace foresight {

void lowest_scores(std::span<const float> scores, int k, std::span<int32_t> out) {
  const auto n = static_cast<int32_t>(scores.size());
  if (k < 0 || k > n || out.size() != size_t(k))
    fail("lowest_scores: cannot pick {} of {} scores into {} slots", k, n, out.size());
  thread_local std::vector<int32_t> order;
  order.resize(size_t(n));
  std::iota(order.begin(), order.end(), 0);
  // A total order (score, then index), so the result does not depend on nth_element's choices.
  std::nth_element(order.begin(), order.begin() + k, order.end(), [&](int32_t a, int32_t b) {
    return scores[a] < scores[b] || (scores[a] == scores[b] && a < b);
  });
  std::copy(order.begin(), order.begin() + k, out.begin());
  std::sort(out.begin(), out.end());
}

}  // namespace foresight
