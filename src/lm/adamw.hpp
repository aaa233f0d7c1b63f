// AdamW (Loshchilov & Hutter) with decoupled weight decay, as torch.optim.AdamW computes it,
// over the flat parameter buffer; norms are not decayed. Also the global gradient-norm clip.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "lm/lm_parameters.hpp"

namespace foresight {

struct AdamWSettings {
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weight_decay = 0.1;
};

class AdamW {
 public:
  AdamW(const LmLayout& layout, AdamWSettings settings);
  // A buffer of n parameters, all decayed (settings.weight_decay = 0 gives plain Adam).
  AdamW(int64_t n, AdamWSettings settings);

  // One step at learning rate lr: params -= lr * (m_hat / (sqrt(v_hat) + eps) + wd * params).
  void update(std::span<float> params, std::span<const float> grads, double lr);

  int64_t steps() const { return steps_; }
  // The moments and step count, for checkpoints.
  std::vector<float>& m() { return m_; }
  std::vector<float>& v() { return v_; }
  const std::vector<float>& m() const { return m_; }
  const std::vector<float>& v() const { return v_; }
  void set_steps(int64_t steps) { steps_ = steps; }

 private:
  AdamWSettings s_;
  std::vector<float> m_, v_;
  std::vector<uint8_t> decay_;                       // per tensor
  std::vector<std::pair<int64_t, int64_t>> ranges_;  // per tensor: [offset, offset + size)
  int64_t steps_ = 0;
};

// The L2 norm of all gradients; when above max_norm (> 0) they are scaled down to it (as
// torch.nn.utils.clip_grad_norm_). Returns the norm before clipping.
double clip_gradient_norm(std::span<float> grads, double max_norm);

}  // namespace foresight
