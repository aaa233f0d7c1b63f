// Rotary position embedding in the Hugging Face "rotate half" layout: dimension j is paired
// with j + d/2. Frequencies include the llama3 long-context rescaling when configured.
#pragma once
#include <vector>

#include "model/config.hpp"

namespace foresight {

class Rope {
 public:
  explicit Rope(const ModelConfig& config);
  // Rotates `n_heads` vectors of head_dim at `x` (contiguous) for one position, in place.
  void apply(float* x, int n_heads, int64_t position) const;
  // The rotation of one position: cos_sin[j] = cos, cos_sin[head_dim / 2 + j] = sin of the
  // angle of pair j, as apply uses them (training tabulates them once).
  void cos_sin(int64_t position, float* cos_sin) const;

 private:
  int head_dim_;
  std::vector<double> inv_freq_;
};

}  // namespace foresight
