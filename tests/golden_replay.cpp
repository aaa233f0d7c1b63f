#include "golden_replay.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "policy/policy.hpp"

namespace foresight::test {

GoldenLabels golden_evictions(const FutureAttention& future, const EvictionSchedule& schedule,
                              int64_t prompt_length) {
  const int L = future.block();
  if (schedule.evict_every != L)
    fail("golden: the future attention has blocks of {} tokens but the schedule evicts every {}", L,
         schedule.evict_every);
  if (!schedule.active()) fail("golden: the schedule has no budget, so nothing is evicted");
  schedule.validate();
  GoldenLabels labels{schedule, future.n_layers(), future.n_kv_heads(), 0, {}};
  const int64_t T = future.n_tokens();
  // Every head holds the same count, so the steps are shared; each keeps its own positions.
  std::vector<std::vector<int32_t>> kept(size_t(labels.n_layers) * labels.n_kv_heads);
  std::vector<float> alpha;
  std::vector<int32_t> chosen;
  for (int64_t chunk = 0; (chunk + 1) * L <= T; ++chunk) {
    for (auto& positions : kept)
      for (int64_t p = chunk * L; p < (chunk + 1) * L; ++p) positions.push_back(int32_t(p));
    const int count = int(kept[0].size());
    if (count <= schedule.budget) continue;
    const int first = std::min(schedule.sinks_for(prompt_length), count);
    const int n = count - schedule.recent_for(first) - first;
    const int k = count - schedule.budget;
    chosen.resize(size_t(k));
    alpha.resize(size_t(n));
    for (int layer = 0; layer < labels.n_layers; ++layer)
      for (int h = 0; h < labels.n_kv_heads; ++h) {
        std::vector<int32_t>& positions = kept[size_t(layer) * labels.n_kv_heads + h];
        GoldenEviction e{labels.n_steps, int(chunk), layer, h, {}, {}, {}};
        e.candidates.assign(positions.begin() + first, positions.begin() + first + n);
        for (int i = 0; i < n; ++i) alpha[i] = future.alpha(layer, h, e.candidates[i], chunk + 1);
        e.targets.resize(size_t(n));
        std::transform(alpha.begin(), alpha.end(), e.targets.begin(), [](float a) { return -a; });
        lowest_scores(alpha, k, chosen);  // the cache's rule: lowest first, ties older first
        for (int32_t i : chosen) e.evicted.push_back(e.candidates[i]);
        std::erase_if(positions, [&](int32_t p) {
          return std::binary_search(e.evicted.begin(), e.evicted.end(), p);
        });
        labels.evictions.push_back(std::move(e));
      }
    ++labels.n_steps;
  }
  return labels;
}

}  // namespace foresight::test
