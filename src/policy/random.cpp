// A sanity floor: uniform scores, so every candidate is equally likely to go.
#include "policy/policy.hpp"

namespace foresight {
namespace {

class RandomPolicy final : public Policy {
 public:
  std::string_view name() const override { return "random"; }
  void score_head(const EvictionView& v, int, std::span<float> out) const override {
    for (float& s : out) s = static_cast<float>(v.rng->uniform());
  }
};

}  // namespace

std::unique_ptr<Policy> make_random_policy(const PolicyOptions&) {
  return std::make_unique<RandomPolicy>();
}

}  // namespace foresight
