// The loop every trainer runs (train-lm, and train-judge's two stages): the refusal to start
// over a checkpoint or to resume without one, the restore on resume and the warning when its
// settings changed, the steps with a progress bar on stderr, their lines in the TrainLog, the
// evaluations on schedule, the checkpoints by the clock and by steps (CheckpointSchedule) and at
// the end, a stop flag, and the training time carried over resumes. Each trainer supplies what
// is its own (RunParts): its step, its evaluations, how it writes and reads its checkpoint.
//
// A resumed run repeats an uninterrupted one bit for bit when everything a step depends on is
// in the checkpoint or a function of the step number; the loop calls the trainer the same way
// either side of a restart.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json_file.hpp"
#include "dist/cluster.hpp"
#include "optim/checkpoint_schedule.hpp"
#include "optim/train_log.hpp"

namespace foresight {

struct RunOptions {
  bool resume = false;                      // continue from the checkpoint (required to exist)
  std::FILE* log = stderr;                  // the progress bar and messages; nullptr for none
  const std::atomic<bool>* stop = nullptr;  // when set, the run checkpoints and returns
  // The ranks running this loop together, or null for this process alone: rank 0 alone writes
  // the log and the checkpoints, and a stop on any rank stops them all at the same step.
  const Cluster* cluster = nullptr;
};

// Where a run stands; every checkpoint holds it.
struct RunPosition {
  int64_t step = 0;            // optimisation steps done
  double elapsed_seconds = 0;  // training time over all runs, as of the last checkpoint
};

// What a step or an evaluation reports: its log line (the loop adds "step") and a short text,
// the progress bar's status (a step) or the message after "step N: " (an evaluation).
struct StepReport {
  Json line;
  std::string status;
};

// What an evaluation measures, as (name, value) pairs in its log line.
using Metrics = std::vector<std::pair<std::string, double>>;

// Runs every `every` (>= 1) steps and after the last one.
struct Evaluation {
  int64_t every = 1;
  std::function<StepReport(int64_t step)> run;  // after `step` steps
};

struct RunParts {
  std::string name;                  // the command ("train-lm"), in messages and the progress bar
  std::filesystem::path dir;         // the work directory: train_log.jsonl, the checkpoint
  std::filesystem::path checkpoint;  // the file whose existence means there is a checkpoint
  int64_t steps = 0;                 // the run's total: its last step logs and evaluates
  CheckpointSchedule checkpoints;
  bool evaluate_untrained = false;  // also evaluate before the first step
  Json settings;  // saved with the checkpoint; a resumed run names those that changed
  // Restores the checkpoint, the RunPosition included; returns the settings saved with it.
  std::function<Json()> load;
  // Writes the checkpoint (after whatever must exist once it does).
  std::function<void(const Json& settings)> save;
  // One optimisation step after `step` steps; the line to log, when this step logs one.
  std::function<std::optional<StepReport>(int64_t step)> step;
};

class RunLoop {
 public:
  // Refuses a fresh run over a checkpoint and a resumed one without it; on resume, restores
  // the checkpoint (into `position`, which the trainer's load fills and save writes) and names
  // the settings that changed. Opens the log, which a resumed run cuts back to its checkpoint.
  RunLoop(RunParts parts, RunPosition& position, const RunOptions& options);

  void add_evaluation(Evaluation evaluation);

  // Steps until step `until` (the run's total when absent or beyond it) or until stopped,
  // then saves a checkpoint. Returns the step reached.
  int64_t run(std::optional<int64_t> until = std::nullopt);

  // The training time over all runs up to now (while run() runs).
  double elapsed_seconds() const;
  // A line on the options' log, when there is one.
  void message(const std::string& text) const;

 private:
  using Clock = std::chrono::steady_clock;
  // Logs the report's line at the current step and returns its status.
  std::string logged(StepReport report);
  void evaluate();  // the evaluations due at the current step
  void save();
  bool writes() const { return options_.cluster == nullptr || options_.cluster->root(); }
  bool stopped() const;  // on every rank alike

  RunParts parts_;
  RunPosition& position_;
  RunOptions options_;
  std::optional<TrainLog> log_;
  std::vector<Evaluation> evaluations_;
  double elapsed_before_ = 0;  // at the start of run()
  Clock::time_point start_, last_checkpoint_;
};

}  // namespace foresight
