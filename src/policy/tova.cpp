// TOVA: keep what the newest query attends to, averaged over the query heads of the group.
#include "policy/policy.hpp"

namespace foresight {
namespace {

class TovaPolicy final : public Policy {
 public:
  std::string_view name() const override { return "tova"; }
  StatMask stats_needed() const override { return stat_bit(kStatLastQuery); }
  void score_head(const EvictionView& v, int h, std::span<float> out) const override {
    const float mean = 1.0f / static_cast<float>(v.group);
    for (int c = 0; c < v.n; ++c) out[c] = mean * group_stat(v, h, c, kStatLastQuery);
  }
};

}  // namespace

std::unique_ptr<Policy> make_tova_policy(const PolicyOptions&) {
  return std::make_unique<TovaPolicy>();
}

}  // namespace foresight
