// Picks the next token from logits: greedy (temperature 0) or sampled with temperature,
// top-k and top-p (nucleus), from the sampler's own seeded generator.
#pragma once
#include <cstdint>
#include <span>

#include "core/rng.hpp"

namespace foresight {

struct SamplingSettings {
  float temperature = 0.0f;  // 0: greedy
  int top_k = 0;             // 0: no limit
  float top_p = 1.0f;
  uint64_t seed = 0;
  // Only ids below this are drawn (0: all). A checkpoint's vocab_size may exceed the
  // tokenizer's last id; those padding rows are never sampled.
  int32_t vocab_limit = 0;

  void validate() const;  // Error naming the option that is out of range
};

class Sampler {
 public:
  explicit Sampler(const SamplingSettings& s) : settings_(s), rng_(s.seed) { s.validate(); }
  int32_t sample(std::span<const float> logits);

 private:
  SamplingSettings settings_;
  Rng rng_;
};

}  // namespace foresight
