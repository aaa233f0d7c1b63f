#include "policy/policy.hpp"

#include <vector>

#include "core/error.hpp"

namespace foresight {

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
    fail(
        "policy '{}' reads the future of the sequence (it is an oracle), so it cannot generate: "
        "it only replays known traces teacher-forced (`foresight score`)",
        policy->name());
}

}  // namespace foresight
