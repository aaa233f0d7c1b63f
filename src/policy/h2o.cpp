// H2O (heavy hitters): keep what has received the most attention so far, summed over the
// query heads of the group.
#include "policy/policy.hpp"

namespace foresight {
namespace {

class H2oPolicy final : public Policy {
 public:
  std::string_view name() const override { return "h2o"; }
  StatMask stats_needed() const override { return stat_bit(kStatCum); }
  void score(const EvictionView& v, std::span<float> scores) const override {
    group_stat_scores(v, kStatCum, 1.0f, scores);
  }
};

}  // namespace

std::unique_ptr<Policy> make_h2o_policy(const PolicyOptions&) {
  return std::make_unique<H2oPolicy>();
}

}  // namespace foresight
