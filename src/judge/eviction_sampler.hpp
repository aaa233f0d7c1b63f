// How the judge's scores become an eviction set (docs/method.md section 7): of the k = count - B
// evictions, take the top 2k scores phi (higher = evict), softmax over them, and draw k
// without replacement, each draw proportional to exp(phi) among those not yet drawn
// (Plackett-Luce). The draws use the Gumbel-top-k form of that distribution: perturb each
// pooled phi by independent Gumbel noise and take the k largest, in order; it needs one uniform
// per pooled candidate and cannot underflow. The deterministic mode takes the k highest phi.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.hpp"

namespace foresight {

// The candidates the k draws come from: the top min(2k, n) phi (ties: the older, lower-index
// candidate first), in index order.
std::vector<int32_t> eviction_pool(std::span<const float> phi, int k);

// Draws out.size() distinct members of `pool` (indices into phi), writing them in the order
// drawn. One uniform per pooled candidate, in pool order, so a seed fixes the draw.
void sample_from_pool(std::span<const float> phi, std::span<const int32_t> pool, Rng& rng,
                      std::span<int32_t> out);

// Writes k distinct candidate indices to out, in the order drawn: sample_from_pool over
// eviction_pool(phi, k).
void sample_evictions(std::span<const float> phi, int k, Rng& rng, std::span<int32_t> out);

}  // namespace foresight
