// The learning rate of each step: linear warm-up, then a cosine decay to min_lr.
#pragma once
#include <cstdint>

namespace foresight {

struct LrSchedule {
  double lr = 1e-3, min_lr = 1e-4;
  int64_t warmup_steps = 0, total_steps = 1;

  // The rate of update `step` (0-based): lr * (step + 1) / warmup_steps during warm-up, then
  // min_lr + (lr - min_lr) * (1 + cos(pi * progress)) / 2 with progress from 0 to 1 over the
  // remaining steps.
  double at(int64_t step) const;
};

}  // namespace foresight
