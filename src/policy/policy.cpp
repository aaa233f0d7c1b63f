#include "policy/policy.hpp"

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

void Policy::score_head(const EvictionView&, int, std::span<float>) const {
  fail("policy '{}' scores its heads together (score) and has no score_head", name());
}

void Policy::score(const EvictionView& view, std::span<float> scores) const {
  for (int h = 0; h < view.n_kv_heads; ++h)
    score_head(view, h, scores.subspan(size_t(h) * view.n, size_t(view.n)));
}

void Policy::choose_evictions(const EvictionView& view, int k, std::span<int32_t> evicted) const {
  std::vector<float> scores(size_t(view.n_kv_heads) * view.n);
  score(view, scores);
  for (int h = 0; h < view.n_kv_heads; ++h)
    lowest_scores(std::span(scores).subspan(size_t(h) * view.n, size_t(view.n)), k,
                  evicted.subspan(size_t(h) * k, size_t(k)));
}

void require_online(const Policy* policy) {
  if (policy != nullptr && policy->needs_future())
    fail("policy '{}' reads the future of the sequence (it is an oracle), so it cannot generate: "
         "it only replays known traces teacher-forced (`foresight score`)",
         policy->name());
}

}  // namespace foresight
