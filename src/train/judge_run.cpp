#include "train/judge_run.hpp"

#include <numeric>
#include <utility>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "train/judge_checkpoint.hpp"

namespace foresight {

namespace {

// The {"eval": "tasks"} line of JudgeTrainerOptions::accuracy, and its message.
StepReport task_accuracy_report(const Metrics& accuracy) {
  StepReport report{Json{{"eval", "tasks"}}, "held-out accuracy"};
  for (const auto& [name, value] : accuracy) {
    report.line[name] = value;
    const std::string group = name == "accuracy" ? "all" : name.substr(name.find('_') + 1);
    report.status += fmt::format(" {} {:.1f}%", group, 100 * value);
  }
  return report;
}

// Trace indices of a step (JudgeRun::step).
std::vector<int64_t> step_traces(int64_t step, int per_step, int64_t n_traces, uint64_t seed) {
  std::vector<int64_t> out;
  std::vector<int64_t> order;
  int64_t epoch = -1;
  for (int q = 0; q < per_step; ++q) {
    const int64_t g = step * per_step + q;
    if (g / n_traces != epoch) {
      epoch = g / n_traces;
      order.resize(size_t(n_traces));
      std::iota(order.begin(), order.end(), 0);
      Rng rng(seed * 0x9e3779b97f4a7c15ull + uint64_t(epoch));
      for (int64_t i = n_traces - 1; i > 0; --i)  // Fisher-Yates
        std::swap(order[i], order[int64_t(rng.next() % uint64_t(i + 1))]);
    }
    out.push_back(order[g % n_traces]);
  }
  return out;
}

}  // namespace

int64_t run_judge_training(const JudgeRun& run, Judge& judge, AdamW& adam,
                           const std::filesystem::path& work_dir,
                           const JudgeTrainerOptions& options) {
  if (run.steps < 1) fail_field("steps", " must be >= 1, got {}", run.steps);
  if (run.eval_every < 1) fail_field("eval_every", " must be >= 1, got {}", run.eval_every);
  const auto checkpoint = work_dir / "checkpoint.safetensors";
  RunPosition position;
  RunLoop loop({.name = "train-judge",
                .dir = work_dir,
                .checkpoint = checkpoint,
                .steps = run.steps,
                .checkpoints = run.checkpoint,
                .evaluate_untrained = true,
                .settings = run.settings,
                .load = [&] { return load_judge_checkpoint(checkpoint, judge, adam, position); },
                .save =
                    [&](const Json& settings) {
                      save_judge_checkpoint(checkpoint, judge, adam, position, settings);
                    },
                .step =
                    [&](int64_t step) {
                      return run.step(step,
                                      step_traces(step, run.traces_per_step, run.traces, run.seed));
                    }},
               position, options);
  if (run.evaluate) loop.add_evaluation({run.eval_every, run.evaluate});
  if (options.accuracy)
    loop.add_evaluation(
        {run.eval_every, [&](int64_t) { return task_accuracy_report(options.accuracy(judge)); }});
  return loop.run(options.until);
}

}  // namespace foresight
