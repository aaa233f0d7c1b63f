#include "lm/live_mask.hpp"

#include <algorithm>

#include "core/rng.hpp"
#include "lm/batch.hpp"
#include "tasks/task_registry.hpp"

namespace foresight {

std::vector<int32_t> live_mask_limits(std::string_view text, const LiveMaskSettings& settings) {
  const auto n = static_cast<int64_t>(text.size());
  std::vector<int32_t> until(static_cast<size_t>(n), Batch::kSeenByAll);
  for (int64_t cut = settings.every; cut < n; cut += settings.every) {
    const std::vector<char> live = live_set(text.substr(0, static_cast<size_t>(cut)));
    for (int64_t j = 0; j + settings.window <= cut; ++j)
      if (!live[static_cast<size_t>(j)] && until[static_cast<size_t>(j)] == Batch::kSeenByAll)
        until[static_cast<size_t>(j)] = static_cast<int32_t>(cut);
  }
  return until;
}

bool live_masked(const LiveMaskSettings& settings, uint64_t seed, int64_t index) {
  if (settings.share <= 0) return false;
  Rng rng(seed * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(index));
  return rng.uniform() < settings.share;
}

}  // namespace foresight
