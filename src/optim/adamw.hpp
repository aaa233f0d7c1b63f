// AdamW (Loshchilov & Hutter) with decoupled weight decay, as torch.optim.AdamW computes it,
// over a flat parameter buffer whose tensors say whether they decay (the LM's norms do not).
// Also the global gradient-norm clip.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace foresight {

struct AdamWSettings {
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weight_decay = 0.1;
};

// One tensor of the flat buffer: [offset, offset + size), and whether weight decay applies.
struct ParamSlice {
  int64_t offset = 0, size = 0;
  bool decay = true;
};

class AdamW {
 public:
  // A buffer made of `slices`, in order and end to end.
  AdamW(std::vector<ParamSlice> slices, AdamWSettings settings);
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
  std::vector<ParamSlice> slices_;
  std::vector<float> m_, v_;
  int64_t steps_ = 0;
};

// The L2 norm of all gradients; when above max_norm (> 0) they are scaled down to it (as
// torch.nn.utils.clip_grad_norm_). Returns the norm before clipping.
double clip_gradient_norm(std::span<float> grads, double max_norm);

}  // namespace foresight
