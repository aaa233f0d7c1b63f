// Training checkpoints in OUT/checkpoint/: the weights and AdamW's moments as one safetensors
// file (tensors-<step>.safetensors, flat F32 buffers in the parameter layout), and state.json
// with the step, the data position, the clock, the log window, the config and the name of that
// tensor file.
// The tensor file is written first and state.json after it, each atomically, so state.json
// always names a complete tensor file; older tensor files are removed afterwards.
#pragma once
#include <cstdint>
#include <filesystem>

#include "core/json_file.hpp"
#include "lm/batcher.hpp"
#include "lm/lm_parameters.hpp"
#include "optim/adamw.hpp"
#include "optim/run_loop.hpp"

namespace foresight {

// Sums over the steps since the last log line. They are part of the state so that a run
// resumed from a checkpoint between two log lines writes the same next line as an
// uninterrupted run.
struct LogWindow {
  int64_t steps = 0, tokens = 0;
  double loss = 0, grad_norm = 0, seconds = 0;
};

// The step and the clock (RunPosition), and the LM's own state.
struct TrainState : RunPosition {
  DataPosition data;
  int64_t tokens_seen = 0;
  LogWindow log_window;
};

void save_checkpoint(const std::filesystem::path& dir, const LmParameters& params,
                     const AdamW& optimizer, const TrainState& state, const Json& config);

// The file whose existence means that dir holds a checkpoint: state.json, written last.
std::filesystem::path checkpoint_state_file(const std::filesystem::path& dir);

// Restores params, optimizer and state from dir (written for the same model shape), and
// returns the config the checkpoint was written with.
Json load_checkpoint(const std::filesystem::path& dir, LmParameters& params, AdamW& optimizer,
                     TrainState& state);

}  // namespace foresight
