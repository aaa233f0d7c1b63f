#include "train/rollout_reward.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"

namespace foresight {

RewardKind parse_reward(std::string_view name) {
  for (const RewardKind k :
       {RewardKind::Squared, RewardKind::All, RewardKind::Low, RewardKind::LowLarge})
    if (reward_name(k) == name) return k;
  fail_field("reward", ": '{}' is not squared, all, low or low-large", name);
}

std::string_view reward_name(RewardKind kind) {
  switch (kind) {
    case RewardKind::Squared: return "squared";
    case RewardKind::All: return "all";
    case RewardKind::Low: return "low";
    case RewardKind::LowLarge: return "low-large";
  }
  return "?";
}

int64_t first_token_after_eviction(const EvictionSchedule& s) {
  const int64_t first_query = (int64_t{s.budget} / s.evict_every + 1) * s.evict_every;
  return first_query + 1;
}

double rollout_reward(RewardKind kind, std::span<const float> ce, std::span<const float> full_ce,
                      std::span<const float> full_entropy, int64_t first, double large_rise) {
  const auto n = int64_t(ce.size());
  if (full_ce.size() != ce.size() || full_entropy.size() != ce.size())
    fail("rollout_reward: {} losses against a reference of {} and {}", ce.size(), full_ce.size(),
         full_entropy.size());
  first = std::max<int64_t>(first, 0);
  if (first >= n) return 0;
  std::vector<int64_t> tokens(size_t(n - first));
  std::iota(tokens.begin(), tokens.end(), first);
  if (kind != RewardKind::All) {  // the 80% lowest entropy; stable, so ties go by position
    std::stable_sort(tokens.begin(), tokens.end(),
                     [&](int64_t a, int64_t b) { return full_entropy[a] < full_entropy[b]; });
    tokens.resize(std::max<size_t>(1, tokens.size() * 4 / 5));
  }
  double sum = 0;
  for (const int64_t t : tokens) {
    const double delta = double(ce[t]) - full_ce[t];
    const bool large = delta > large_rise;
    switch (kind) {
      case RewardKind::Squared: sum += large ? delta * delta : 0; break;
      case RewardKind::LowLarge: sum += large ? delta : 0; break;
      case RewardKind::All:
      case RewardKind::Low: sum += delta; break;
    }
  }
  return -sum / double(tokens.size());
}

GroupAdvantages group_advantages(std::span<const double> rewards) {
  const auto n = double(rewards.size());
  if (rewards.size() < 2)
    fail_field("group", " must be >= 2 (advantages compare rollouts), got {}", rewards.size());
  GroupAdvantages g;
  g.mean = std::accumulate(rewards.begin(), rewards.end(), 0.0) / n;
  double squares = 0;
  for (const double r : rewards) squares += (r - g.mean) * (r - g.mean);
  g.spread = std::sqrt(squares / (n - 1));
  for (const double r : rewards) g.advantages.push_back((r - g.mean) / (g.spread + 1e-8));
  return g;
}

}  // namespace foresight
