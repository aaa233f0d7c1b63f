// The supervised judge's loss (SPEC section 6): at one eviction of one (layer, KV head), the
// judge's scores phi (higher = evict) against the oracle's targets (higher = more evictable),
//     loss = mean over pairs (i, j) with target_i > target_j of max(0, margin - (phi_i - phi_j)).
// A pair counts as violated when phi_i - phi_j <= margin, and as correct when phi_i > phi_j
// (correct / pairs is the pairwise ranking accuracy, counted in the same pass). There are O(C^2) pairs but the sums run in O(C log C): candidates are visited in
// target order while a Fenwick tree over phi's ranks holds those already passed.
#pragma once
#include <cstdint>
#include <span>

namespace foresight {

struct PairwiseHinge {
  double loss = 0;       // the mean over pairs (0 when there are none)
  int64_t pairs = 0;     // strictly ordered pairs
  int64_t violated = 0;  // pairs with phi_i - phi_j <= margin
  int64_t correct = 0;   // pairs with phi_i > phi_j
};

// With a non-empty `dphi` (size of phi) also writes d loss / d phi: over violated pairs, -1 for
// the more evictable candidate and +1 for the other, divided by the number of pairs.
PairwiseHinge pairwise_hinge(std::span<const float> targets, std::span<const float> phi,
                             float margin, std::span<float> dphi = {});

}  // namespace foresight
