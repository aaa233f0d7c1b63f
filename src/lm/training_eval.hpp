// Evaluations run during training, every `every()` steps and after the last one, their
// metrics logged to train_log.jsonl as {"step", "eval": name(), <metric>: value, ...}. The
// held-out loss is one; others (e.g. greedy accuracy on held-out problems, which needs the
// engine) plug in through Trainer::add_eval.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "lm/batch_runner.hpp"
#include "lm/trace_dataset.hpp"
#include "lm/train_config.hpp"
#include "optim/run_loop.hpp"

namespace foresight {

struct EvalContext {
  int64_t step;
  const LmParameters& params;
  BatchRunner& runner;  // for teacher-forced losses under the current weights
  // Writes the current weights as a Hugging Face model directory (once per step, however many
  // evaluations ask) and returns it, for evaluations that load the model into the engine.
  std::function<std::filesystem::path()> model_dir;
};

class TrainingEval {
 public:
  virtual ~TrainingEval() = default;
  virtual std::string name() const = 0;
  virtual int64_t every() const = 0;
  virtual Metrics run(const EvalContext& context) = 0;
};

// Mean cross-entropy per target token (trace and end tokens) over the examples, batched by
// `limits`; metrics "loss" and "tokens".
std::unique_ptr<TrainingEval> make_heldout_loss_eval(TraceDataset examples, BatchLimits limits,
                                                     int64_t every);

}  // namespace foresight
