// The training loop of the bundled model: batches from the JSONL traces (curriculum and
// order from the config's seed), train steps, a progress bar on stderr, a JSONL log, periodic
// evaluations, and checkpoints every few minutes (or steps) from which --resume continues
// exactly.
//
// OUT/ holds: model/ (the Hugging Face model directory, rewritten at every checkpoint and at
// the end), checkpoint/ (see checkpoint.hpp) and train_log.jsonl (one line per log_every steps:
// step, loss (mean over those steps), lr, grad_norm, tokens_per_second, elapsed_seconds,
// tokens, length_cap; and one line per evaluation).
#pragma once
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "core/train_log.hpp"
#include "lm/batcher.hpp"
#include "lm/checkpoint.hpp"
#include "lm/train_config.hpp"
#include "lm/training_eval.hpp"

namespace foresight {

struct TrainerOptions {
  bool resume = false;                      // continue from OUT/checkpoint (required to exist)
  std::FILE* log = stderr;                  // the progress bar and messages; nullptr for none
  const std::atomic<bool>* stop = nullptr;  // when set, the run checkpoints and returns
};

class Trainer {
 public:
  // Reads the data, and initialises or (options.resume) restores the run. Without resume,
  // an existing checkpoint in out_dir is an error rather than silently overwritten.
  Trainer(TrainConfig config, std::filesystem::path out_dir, TrainerOptions options = {});
  ~Trainer();

  void add_eval(std::unique_ptr<TrainingEval> eval);

  // Trains until step `until` (the configured total when absent) or until stopped, then
  // saves a checkpoint and the model directory. Returns the step reached.
  int64_t run(std::optional<int64_t> until = std::nullopt);

  const LmParameters& parameters() const { return params_; }
  const TrainState& state() const { return state_; }

 private:
  void save();
  void run_evals();
  void message(const std::string& text) const;

  TrainConfig config_;
  std::filesystem::path out_dir_;
  TrainerOptions options_;
  TraceDataset data_;
  std::unique_ptr<Batcher> batcher_;
  LmParameters params_;
  AdamW optimizer_;
  BatchRunner runner_;
  std::vector<float> grads_;
  TrainState state_;
  std::vector<std::unique_ptr<TrainingEval>> evals_;
  std::unique_ptr<TrainLog> log_;
};

}  // namespace foresight
