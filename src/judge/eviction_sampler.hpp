// How the judge's scores become an eviction set (SPEC section 7): of the k = count - B
// evictions, take the top 2k scores phi (higher = evict), softmax over them, and draw k
// without replacement, each draw proportional to exp(phi) among those not yet drawn
// (Plackett-Luce). The draws use the Gumbel-top-k form of that distribution: perturb each
// pooled phi by independent Gumbel noise and take the k largest, in order; it needs one uniform
// per pooled candidate and cannot underflow. The deterministic mode takes the k highest phi.
#pragma once
#include <cstdint>
#include <span>

#include "core/rng.hpp"

namespace foresight {

// Writes k distinct candidate indices to out, in the order drawn. Ties in phi rank the older
// (lower-index) candidate first, as the cache does.
void sample_evictions(std::span<const float> phi, int k, Rng& rng, std::span<int32_t> out);

}  // namespace foresight
