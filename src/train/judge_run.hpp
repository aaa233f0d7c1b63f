// The loop both judge trainers share (supervised and GRPO): the step count, the held-out
// evaluations, the log, the progress bar and the checkpoints, around a step function that
// each stage supplies.
//
// The work directory holds checkpoint.safetensors (the judge's parameters, Adam's moments, and
// in the metadata the step, clock and settings; written atomically) and train_log.jsonl: one
// line per step and one per held-out evaluation ({"eval": "heldout", ...}, and {"eval": "tasks",
// ...} with JudgeTrainerOptions::accuracy). A fresh run refuses
// a directory that holds a checkpoint; a resumed one restores it and repeats an uninterrupted
// run bit for bit, because everything a step draws (its traces, its rollouts' generators) is a
// function of the seed and the step number.
#pragma once
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/checkpoint_schedule.hpp"
#include "core/json_file.hpp"
#include "judge/judge.hpp"
#include "lm/adamw.hpp"
#include "lm/training_eval.hpp"

namespace foresight {

struct JudgeTrainerOptions {
  bool resume = false;           // continue from the work directory's checkpoint
  std::optional<int64_t> until;  // stop (with a checkpoint) after this step
  std::FILE* log = stderr;       // progress bar and messages; nullptr for none
  // Greedy accuracy of the judge being trained on held-out problems (train-judge
  // --heldout-tasks), at every held-out evaluation, logged as {"eval": "tasks", ...}.
  std::function<Metrics(const Judge&)> accuracy;
};

// Trace indices of a step: position g = step * P + q of an endless stream of epochs, each a
// fresh shuffle of all traces drawn from (seed, epoch), so the order needs no saved state.
std::vector<int64_t> step_traces(int64_t step, int per_step, int64_t n_traces, uint64_t seed);

// What a step or an evaluation reports: a log line (the loop adds "step") and a short text for
// the progress bar (a step) or a message (an evaluation).
struct StepReport {
  Json line;
  std::string status;
};

struct JudgeRun {
  int64_t steps = 0, eval_every = 0;
  CheckpointSchedule checkpoint;
  Json settings;  // saved with the checkpoint; a resumed run names the ones that changed
  // One optimisation step; `step` counts the steps done before it.
  std::function<StepReport(int64_t step)> step;
  // The held-out evaluation after `step` steps, or nothing when there is nothing to evaluate.
  std::function<std::optional<StepReport>(int64_t step)> evaluate;
};

// Runs steps from 0 (or the checkpoint's step, on resume) to run.steps or options.until,
// evaluating before the first step, every eval_every steps and after the last, checkpointing
// `judge` and `adam` as run.checkpoint says and at the end. Returns the step reached.
int64_t run_judge_training(const JudgeRun& run, Judge& judge, AdamW& adam,
                           const std::filesystem::path& work_dir,
                           const JudgeTrainerOptions& options);

}  // namespace foresight
