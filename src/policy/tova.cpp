// TOVA: keep what the newest query attends to, averaged over the query heads of the group.
#include "policy/policy.hpp"

namespace foresight {
namespace {

class TovaPolicy final : public Policy {
 public:
  std::string_view name() const override { return "tova"; }
  StatMask stats_needed() const override { return stat_bit(kStatLastQuery); }
  void score(const EvictionView& v, std::span<float> scores) const override {
    group_stat_scores(v, kStatLastQuery, 1.0f / static_cast<float>(v.group), scores);
  }
};

}  // namespace

std::unique_ptr<Policy> make_tova_policy(const PolicyOptions&) {
  return std::make_unique<TovaPolicy>();
}

}  // namespace foresight
