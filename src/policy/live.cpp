// The causal live set as a policy: keep the tokens a solver of the task must still hold (the
// family's rules, tasks/task_registry.hpp: live_set), then the most recent. It reads the text
// written so far and nothing of the future, so it runs while generating: the ceiling of what a
// policy that cannot see the future needs to keep, beside golden's bound.
#include "core/error.hpp"
#include "policy/policy.hpp"
#include "tasks/task_registry.hpp"

namespace foresight {
namespace {

constexpr int32_t kBytes = 256;  // byte-level tokenizers: ids below 256 are the byte itself

class LivePolicy final : public Policy {
 public:
  std::string_view name() const override { return "live"; }
  // One live set serves every head: it depends on the text, not on the head.
  void score(const EvictionView& v, std::span<float> scores) const override {
    // The text of the byte tokens; special tokens (ids from 256 on) are kept like live ones.
    std::string text;
    std::vector<int64_t> position_of;  // text index -> position
    const int64_t end = std::min<int64_t>(v.end_position(), int64_t(v.tokens.size()));
    for (int64_t p = 0; p < end; ++p)
      if (v.tokens[size_t(p)] < kBytes) {
        text += static_cast<char>(v.tokens[size_t(p)]);
        position_of.push_back(p);
      }
    std::vector<char> keep(size_t(end), 1);
    const std::vector<char> live = live_set(text);
    for (size_t i = 0; i < live.size(); ++i) keep[size_t(position_of[i])] = live[i];
    // Live first, then by recency: positions are below 2^23, so the sum stays exact in a float.
    for (int h = 0; h < v.n_kv_heads; ++h)
      for (int c = 0; c < v.n; ++c) {
        const int32_t p = v.position(h, c);
        const bool live_token = p < end && keep[size_t(p)];
        scores[int64_t{h} * v.n + c] = float(p) + (live_token ? float(1 << 23) : 0.0f);
      }
  }
};

}  // namespace

std::unique_ptr<Policy> make_live_policy(const PolicyOptions& options) {
  if (options.model && options.model->vocab > 1024)
    fail_field("policy",
               " live reads the task's text one byte a token; a vocabulary of {} is not byte-level",
               options.model->vocab);
  return std::make_unique<LivePolicy>();
}

}  // namespace foresight
