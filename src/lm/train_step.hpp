// One optimisation step on one batch: forward, backward of the mean loss over the batch's
// targets, global gradient-norm clipping, AdamW.
#pragma once
#include <vector>

#include "lm/batch.hpp"
#include "lm/batch_runner.hpp"
#include "optim/adamw.hpp"

namespace foresight {

struct StepResult {
  double loss = 0;       // mean cross-entropy over the batch's targets (nats per token)
  double grad_norm = 0;  // before clipping
};

// grads is scratch of the parameters' size.
StepResult train_step(BatchRunner& runner, LmParameters& params, AdamW& optimizer,
                      std::vector<float>& grads, const Batch& batch, double lr, double clip);

}  // namespace foresight
