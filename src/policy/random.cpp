// A sanity floor: uniform scores, so every candidate is equally likely to go.
#include "policy/policy.hpp"

namespace foresight {
namespace {

class RandomPolicy final : public Policy {
 public:
  std::string_view name() const override { return "random"; }
  void score(const EvictionView& v, std::span<float> scores) const override {
    for (float& s : scores) s = static_cast<float>(v.rng->uniform());
  }
};

}  // namespace

std::unique_ptr<Policy> make_random_policy(const PolicyOptions&) {
  return std::make_unique<RandomPolicy>();
}

}  // namespace foresight
