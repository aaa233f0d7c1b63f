// Golden Eviction replayed as a policy (docs/method.md section 4): keep the candidates that the
// rest of the trace will attend to most. The scores come from the trace's future attention,
// recorded on a full-cache pass; the eviction after the chunk ending at end_position() is judged by
// the blocks of queries from end_position() on (see train/golden.hpp for why those blocks).
#include "policy/policy.hpp"

namespace foresight {
namespace {

class GoldenPolicy final : public Policy {
 public:
  std::string_view name() const override { return "golden"; }
  bool needs_future() const override { return true; }
  void score_head(const EvictionView& v, int h, std::span<float> out) const override {
    const int64_t from_block = v.end_position() / v.future->block();
    for (int c = 0; c < v.n; ++c)
      out[c] = v.future->alpha(v.layer, h, v.position(h, c), from_block);
  }
};

}  // namespace

std::unique_ptr<Policy> make_golden_policy(const PolicyOptions&) {
  return std::make_unique<GoldenPolicy>();
}

}  // namespace foresight
