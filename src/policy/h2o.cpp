// H2O (heavy hitters): keep what has received the most attention so far, summed over the
// query heads of the group.
#include "policy/policy.hpp"

namespace foresight {
namespace {

class H2oPolicy final : public Policy {
 public:
  std::string_view name() const override { return "h2o"; }
  StatMask stats_needed() const override { return stat_bit(kStatCum); }
  void score_head(const EvictionView& v, int h, std::span<float> out) const override {
    for (int c = 0; c < v.n; ++c) out[c] = group_stat(v, h, c, kStatCum);
  }
};

}  // namespace

std::unique_ptr<Policy> make_h2o_policy(const PolicyOptions&) {
  return std::make_unique<H2oPolicy>();
}

}  // namespace foresight
