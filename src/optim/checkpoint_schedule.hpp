// When a training run (the LM trainer, either judge trainer) saves its checkpoint between
// steps: every few minutes, so that an interrupted long run loses little, and optionally every
// few steps, which makes the checkpoints' steps reproducible (the crash tests rely on that).
// Every run also saves at its end.
#pragma once
#include <cstdint>

namespace foresight {

struct CheckpointSchedule {
  double minutes = 5;
  int64_t steps = 0;  // 0: by the clock only

  bool due(int64_t step, double seconds_since_last) const {
    return seconds_since_last >= minutes * 60 || (steps > 0 && step % steps == 0);
  }
};

}  // namespace foresight
