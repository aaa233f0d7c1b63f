// The trainer of the bundled model: batches from the JSONL traces (curriculum and order from
// the config's seed) and train steps, in the run loop (optim/run_loop.hpp: the progress bar on
// stderr, the JSONL log, evaluations, checkpoints every few minutes (or steps) from which
// --resume continues exactly, and Ctrl-C).
//
// OUT/ holds: model/ (the Hugging Face model directory, rewritten at every checkpoint and at
// the end), checkpoint/ (see checkpoint.hpp) and train_log.jsonl (one line per log_every steps:
// step, loss (mean over those steps), lr, grad_norm, tokens_per_second, elapsed_seconds,
// tokens, length_cap; and one line per evaluation).
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "lm/batcher.hpp"
#include "lm/checkpoint.hpp"
#include "lm/train_config.hpp"
#include "lm/training_eval.hpp"
#include "optim/adamw.hpp"
#include "optim/run_loop.hpp"

namespace foresight {

class Trainer {
 public:
  // Initialises or (options.resume) restores the run, and reads the data. Without resume, an
  // existing checkpoint in out_dir is an error rather than silently overwritten.
  Trainer(TrainConfig config, std::filesystem::path out_dir, RunOptions options = {});
  ~Trainer();

  void add_eval(std::unique_ptr<TrainingEval> eval);

  // Trains until step `until` (the configured total when absent) or until stopped, then
  // saves a checkpoint and the model directory. Returns the step reached.
  int64_t run(std::optional<int64_t> until = std::nullopt);

  const LmParameters& parameters() const { return params_; }
  const TrainState& state() const { return state_; }

 private:
  RunParts run_parts();
  Json load();
  void save(const Json& config);
  std::optional<StepReport> step(int64_t step);
  StepReport evaluate(TrainingEval& eval, int64_t step);
  // The model directory with the current weights, written once per step that asks for it.
  std::filesystem::path model_dir(int64_t step);

  TrainConfig config_;
  std::filesystem::path out_dir_;
  TraceDataset data_;
  std::unique_ptr<Batcher> batcher_;
  LmParameters params_;
  AdamW optimizer_;
  BatchRunner runner_;
  std::vector<float> grads_;
  TrainState state_;
  std::vector<std::unique_ptr<TrainingEval>> evals_;
  int64_t model_written_ = -1;  // the step of the model directory's weights, for model_dir()
  RunLoop loop_;                // last: its construction restores the members above
};

}  // namespace foresight
