// TOVA: keep what the newest query attends to, averaged over the query heads of the group.
#include "policy/policy.hpp"

namespace foresight {
namespace {

class TovaPolicy final : public Policy {
 public:
  std::string_view name() const override { return "tova"; }
  StatMask stats_needed() const override { return stat_bit(kStatLastQuery); }
  void score(const EvictionView& v, std::span<float> scores) const override {
    for (int h = 0; h < v.n_kv_heads; ++h)
      for (int c = 0; c < v.n; ++c) {
        float total = 0;
        for (int s = 0; s < v.group; ++s) total += v.stat(h, c, s, kStatLastQuery);
        scores[int64_t{h} * v.n + c] = total / static_cast<float>(v.group);
      }
  }
};

}  // namespace

std::unique_ptr<Policy> make_tova_policy() { return std::make_unique<TovaPolicy>(); }

}  // namespace foresight
