// What both judge trainers (supervised and GRPO) share around the run loop (optim/run_loop.hpp):
// the traces of each step, the held-out evaluations' schedule, the task accuracy of
// JudgeTrainerOptions::accuracy, and the checkpoint (judge_checkpoint.hpp), around a step
// function that each stage supplies.
//
// The work directory holds checkpoint.safetensors and train_log.jsonl: one line per step and
// one per held-out evaluation ({"eval": "heldout", ...}, and {"eval": "tasks", ...} with
// JudgeTrainerOptions::accuracy), before the first step, every eval_every steps and after the
// last. A fresh run refuses a directory that holds a checkpoint; a resumed one restores it and
// repeats an uninterrupted run bit for bit, because everything a step draws (its traces, its
// rollouts' generators) is a function of the seed and the step number.
#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "core/json_file.hpp"
#include "judge/judge.hpp"
#include "optim/adamw.hpp"
#include "optim/checkpoint_schedule.hpp"
#include "optim/run_loop.hpp"

namespace foresight {

struct JudgeTrainerOptions : RunOptions {
  std::optional<int64_t> until;  // stop (with a checkpoint) after this step
  // Greedy accuracy of the judge being trained on held-out problems (train-judge
  // --heldout-tasks), at every held-out evaluation, logged as {"eval": "tasks", ...}.
  std::function<Metrics(const Judge&)> accuracy;
};

struct JudgeRun {
  // From a stage's settings (both stages name these fields alike), over n_traces training
  // traces.
  template <typename Settings>
  JudgeRun(const Settings& s, size_t n_traces)
      : steps(s.steps),
        eval_every(s.eval_every),
        traces_per_step(s.traces_per_step),
        traces(int64_t(n_traces)),
        seed(s.seed),
        checkpoint(s.checkpoint),
        settings(s.to_json()) {}

  int64_t steps, eval_every;
  int traces_per_step;
  int64_t traces;
  uint64_t seed;
  CheckpointSchedule checkpoint;
  Json settings;  // saved with the checkpoint; a resumed run names the ones that changed
  // One optimisation step on the training traces `picked`; `step` counts the steps done before
  // it. A step's traces are positions g = step * traces_per_step + q of an endless stream of
  // epochs, each a fresh shuffle of all traces drawn from (seed, epoch), so the order needs no
  // saved state.
  std::function<StepReport(int64_t step, const std::vector<int64_t>& picked)> step;
  // The held-out evaluation after `step` steps; empty when there are no held-out traces.
  std::function<StepReport(int64_t step)> evaluate;
};

// Runs steps from 0 (or the checkpoint's step, on resume) to run.steps or options.until,
// checkpointing `judge` and `adam` as run.checkpoint says and at the end. Returns the step
// reached.
int64_t run_judge_training(const JudgeRun& run, Judge& judge, AdamW& adam,
                           const std::filesystem::path& work_dir,
                           const JudgeTrainerOptions& options);

}  // namespace foresight
