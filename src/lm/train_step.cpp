#include "lm/train_step.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace foresight {

StepResult train_step(BatchRunner& runner, LmParameters& params, AdamW& optimizer,
                      std::vector<float>& grads, const Batch& batch, double lr, double clip) {
  if (batch.target_count == 0) fail("train step: the batch has no targets");
  grads.assign(params.values.size(), 0.0f);
  StepResult r;
  const double count = double(batch.target_count);
  r.loss = runner.loss_and_gradient(params, batch, static_cast<float>(1.0 / count), grads) / count;
  if (!std::isfinite(r.loss)) fail("training diverged: the loss is {}", r.loss);
  r.grad_norm = clip_gradient_norm(grads, clip);
  if (!std::isfinite(r.grad_norm)) fail("training diverged: the gradient norm is {}", r.grad_norm);
  optimizer.update(params.values, grads, lr);
  return r;
}

}  // namespace foresight
