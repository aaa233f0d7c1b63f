// Integer draws for the task generators. They come from the project's Rng, so a seed gives the
// same dataset on every machine and compiler (<random>'s distributions are not portable).
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "core/rng.hpp"

namespace foresight {

// Uniform in [0, n). The modulo bias is below n / 2^64, negligible for the small n used here.
inline int draw_below(Rng& rng, int n) {
  return static_cast<int>(rng.next() % static_cast<uint64_t>(n));
}

// Fisher-Yates.
template <typename T>
void shuffle(std::vector<T>& items, Rng& rng) {
  for (int i = static_cast<int>(items.size()) - 1; i > 0; --i)
    std::swap(items[i], items[draw_below(rng, i + 1)]);
}

}  // namespace foresight
