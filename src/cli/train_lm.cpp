#include <atomic>
#include <csignal>
#include <cstdio>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "eval/heldout_accuracy.hpp"
#include "lm/trainer.hpp"
#include "tasks/dataset.hpp"

namespace foresight::cli {

namespace {

std::atomic<bool> stop_requested{false};

// Ctrl-C ends the run after the current step, with a checkpoint; a second one kills it.
extern "C" void request_stop(int) {
  stop_requested = true;
  std::signal(SIGINT, SIG_DFL);
}

}  // namespace

void add_train_lm_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "train-lm",
      "train the bundled reasoning model on JSONL traces (see src/lm/train_config.hpp "
      "for the config file)");
  struct Options {
    std::string config, out;
    bool resume = false;
    int64_t steps = 0;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--config", o->config, "training config (JSON)")->required();
  cmd->add_option("--out", o->out, "output directory: model/, checkpoint/, train_log.jsonl")
      ->required();
  cmd->add_flag("--resume", o->resume, "continue from the checkpoint in --out");
  cmd->add_option("--steps", o->steps,
                  "train to this step instead of the config's optimizer.steps (extends a "
                  "finished run with --resume: the cosine schedule is recomputed for the new "
                  "total)")
      ->check(CLI::PositiveNumber);
  cmd->callback([o] {
    RunOptions options;
    options.resume = o->resume;
    options.stop = &stop_requested;
    TrainConfig config = load_train_config(o->config);
    if (o->steps > 0) {
      config.schedule.total_steps = o->steps;
      config.source["optimizer"]["steps"] = o->steps;
    }
    const EvalSettings eval = config.eval;
    const int64_t total_steps = config.schedule.total_steps;
    const int max_tokens = int(config.data.max_tokens);
    Trainer trainer(std::move(config), o->out, options);
    if (eval.accuracy_every > 0) {
      std::vector<TaskProblem> problems = read_dataset(eval.heldout);
      if (int64_t(problems.size()) > eval.accuracy_examples)
        problems.resize(size_t(eval.accuracy_examples));
      trainer.add_eval(
          make_heldout_accuracy_eval(std::move(problems), eval.accuracy_every, max_tokens));
    }
    std::signal(SIGINT, request_stop);
    const int64_t step = trainer.run();
    std::signal(SIGINT, SIG_DFL);
    // An interrupted run is not a finished model: scripts must not take it for one.
    if (step < total_steps)
      fail("interrupted at step {} of {}; the checkpoint is saved, rerun with --resume", step,
           total_steps);
    std::fprintf(stderr, "train-lm: step %lld; model in %s/model\n", static_cast<long long>(step),
                 o->out.c_str());
  });
}

}  // namespace foresight::cli
