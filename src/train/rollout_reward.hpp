// The reward of a GRPO rollout (docs/method.md section 6) and the group-normalised advantage.
//
// A rollout replays a trace under the judge's sampled evictions; delta[t] = its cross-entropy on
// token t minus the full cache's. Only tokens whose prediction ran after the first eviction
// count (before it the caches are identical). The rewards, with a large rise one above
// `large_rise` nats (the paper's 1.5):
//  - squared (the method's): on the 80% of those tokens with the lowest full-cache entropy,
//    R = -mean(delta^2 * [delta > large_rise]): only large rises, squared;
//  - all: R = -mean(delta) over all of them;
//  - low: R = -mean(delta) over the 80% lowest-entropy ones;
//  - low-large: R = -mean(delta * [delta > large_rise]) over the 80% lowest-entropy ones.
// The last three are the paper's ablations. A rollout with no such token has reward 0.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "kv/schedule.hpp"

namespace foresight {

enum class RewardKind { Squared, All, Low, LowLarge };

// squared | all | low | low-large; anything else is an error naming --reward.
RewardKind parse_reward(std::string_view name);
std::string_view reward_name(RewardKind kind);

// The first token whose prediction may see an evicted cache. The first eviction follows the
// first chunk that leaves more than B entries, i.e. comes after position E - 1 with E the first
// multiple of L above B; the query at E is the first to run after it, and predicts token E + 1.
int64_t first_token_after_eviction(const EvictionSchedule& schedule);

// The reward of per-token cross-entropies `ce` against the full cache's `full_ce` and
// `full_entropy` (all aligned with the trace's ids), over tokens [first, size).
double rollout_reward(RewardKind kind, std::span<const float> ce, std::span<const float> full_ce,
                      std::span<const float> full_entropy, int64_t first, double large_rise);

// The rewards of a group of rollouts of one trace, and their advantages (R - mean) / (spread +
// 1e-8), spread being the sample standard deviation (n - 1, as torch.std computes it). A group
// needs at least 2 rollouts.
struct GroupAdvantages {
  double mean = 0, spread = 0;
  std::vector<double> advantages;
};
GroupAdvantages group_advantages(std::span<const double> rewards);

}  // namespace foresight
