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
    for (int h = 0; h < v.n_kv_heads; ++h)
      for (int c = 0; c < v.n; ++c) {
        float total = 0;
        for (int s = 0; s < v.group; ++s) total += v.stat(h, c, s, kStatCum);
        scores[int64_t{h} * v.n + c] = total;
      }
  }
};

}  // namespace

std::unique_ptr<Policy> make_h2o_policy() { return std::make_unique<H2oPolicy>(); }

}  // namespace foresight
