// Which rank computes which item when the items' costs differ (judge training's traces, whose
// replay time grows with their length): longest first, each to the rank with the least work so
// far (ties go to the lower rank). Every rank computes the same deal from the same costs, so no
// message is needed, and what is computed does not depend on who computes it.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace foresight {

// owner[i] for each item, in [0, ranks).
std::vector<int> deal_by_cost(std::span<const int64_t> costs, int ranks);

}  // namespace foresight
