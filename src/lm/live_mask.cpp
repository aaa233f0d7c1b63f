#include "lm/live_mask.hpp"

#include "core/rng.hpp"
#include "lm/batch.hpp"
#include "tasks/task_registry.hpp"

namespace foresight {

std::vector<int32_t> live_mask_limits(std::string_view text, int64_t budget, int64_t every) {
  const auto n = static_cast<int64_t>(text.size());
  std::vector<int32_t> until(static_cast<size_t>(n), Batch::kSeenByAll);
  for (int64_t cut = every; cut < n; cut += every) {
    if (cut <= budget) continue;
    const std::vector<char> live = live_set(text.substr(0, static_cast<size_t>(cut)));
    // The keys still held, live ones first, each kind most recent first: the first `budget`
    // stay, as `live`'s scores choose.
    std::vector<int64_t> order;
    for (const bool want_live : {true, false})
      for (int64_t j = cut - 1; j >= 0; --j)
        if (until[static_cast<size_t>(j)] == Batch::kSeenByAll &&
            bool(live[static_cast<size_t>(j)]) == want_live)
          order.push_back(j);
    for (size_t r = static_cast<size_t>(budget); r < order.size(); ++r)
      until[static_cast<size_t>(order[r])] = static_cast<int32_t>(cut);
  }
  return until;
}

int64_t live_mask_budget(const LiveMaskSettings& settings, uint64_t seed, int64_t index) {
  if (settings.share <= 0) return 0;
  Rng rng(seed * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(index));
  if (rng.uniform() >= settings.share) return 0;
  const auto span = static_cast<double>(settings.max_budget - settings.min_budget + 1);
  return settings.min_budget + static_cast<int64_t>(rng.uniform() * span);
}

}  // namespace foresight
