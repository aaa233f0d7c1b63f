// StreamingLLM: the sinks (protected by the schedule) plus the most recent tokens.
#include "policy/policy.hpp"

namespace foresight {
namespace {

class StreamingPolicy final : public Policy {
 public:
  std::string_view name() const override { return "streaming"; }
  void score(const EvictionView& v, std::span<float> scores) const override {
    for (int h = 0; h < v.n_kv_heads; ++h)
      for (int c = 0; c < v.n; ++c)
        scores[int64_t{h} * v.n + c] = static_cast<float>(v.head(h).positions()[v.first + c]);
  }
};

}  // namespace

std::unique_ptr<Policy> make_streaming_policy(const PolicyOptions&) {
  return std::make_unique<StreamingPolicy>();
}

}  // namespace foresight
