// The supervised judge's loss (docs/method.md section 6): at one eviction of one (layer, KV head),
// the judge's scores phi (higher = evict) against the oracle's targets (higher = more evictable),
//     loss = sum over pairs (i, j) with target_i > target_j of w_ij max(0, margin - (phi_i -
//     phi_j))
//            / sum of w_ij,
// with w_ij = 1 (uniform, the paper's mean over pairs) or w_ij = target_i - target_j (gap: a
// pair counts by the future attention that ordering it wrongly would lose, so the many pairs of
// two almost-unattended candidates, which never change an eviction, weigh almost nothing).
// A pair counts as violated when phi_i - phi_j <= margin, and as correct when phi_i > phi_j
// (correct / pairs is the pairwise ranking accuracy, counted in the same pass). There are
// O(C^2) pairs but the sums run in O(C log C): candidates are visited in target order while a
// Fenwick tree over phi's ranks holds those already passed.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace foresight {

enum class PairWeight { Uniform, TargetGap };

// "uniform" or "weighted" (the names of train-judge's --loss); Error naming --loss otherwise.
PairWeight parse_pair_weight(std::string_view name);
std::string pair_weight_name(PairWeight w);

struct PairwiseHinge {
  double loss = 0;       // the weighted mean over pairs (0 when there are none)
  int64_t pairs = 0;     // strictly ordered pairs
  int64_t violated = 0;  // pairs with phi_i - phi_j <= margin
  int64_t correct = 0;   // pairs with phi_i > phi_j
};

// With a non-empty `dphi` (size of phi) also writes d loss / d phi: over violated pairs, -w_ij
// for the more evictable candidate and +w_ij for the other, divided by the sum of the weights.
PairwiseHinge pairwise_hinge(std::span<const float> targets, std::span<const float> phi,
                             float margin, PairWeight weight, std::span<float> dphi = {});

}  // namespace foresight
