// StreamingLLM: the sinks (protected by the schedule; 4 unless told otherwise) plus the most
// recent tokens.
#include "policy/policy.hpp"

namespace foresight {
namespace {

class StreamingPolicy final : public Policy {
 public:
  std::string_view name() const override { return "streaming"; }
  int default_sinks() const override { return 4; }
  void score_head(const EvictionView& v, int h, std::span<float> out) const override {
    for (int c = 0; c < v.n; ++c) out[c] = static_cast<float>(v.position(h, c));
  }
};

}  // namespace

std::unique_ptr<Policy> make_streaming_policy(const PolicyOptions&) {
  return std::make_unique<StreamingPolicy>();
}

}  // namespace foresight
