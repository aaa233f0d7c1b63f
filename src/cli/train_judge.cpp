// `foresight train-judge --stage sl`: supervised training of the judge on a model's traces,
// teacher-forced along the golden path (src/train/judge_trainer.hpp).
#include <cstdio>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "judge/judge_file.hpp"
#include "train/judge_trainer.hpp"

namespace foresight::cli {

namespace {

struct Options {
  std::string stage, model, traces, heldout, out, init, checkpoint_dir;
  int heldout_limit = 0;
  bool resume = false;
  JudgeTrainSettings settings;
};

std::string command_line(const Options& o) {
  const JudgeTrainSettings& s = o.settings;
  std::string c = fmt::format(
      "foresight train-judge --stage {} --model {} --traces {} --budget {} --evict-every {} "
      "--sinks {} --steps {} --traces-per-step {} --lr {} --warmup {} --clip {} --margin {} "
      "--seed {} --out {}",
      o.stage, o.model, o.traces, s.schedule.budget, s.schedule.evict_every, s.schedule.sinks,
      s.steps, s.traces_per_step, s.lr, s.warmup_steps, s.clip, s.margin, s.seed, o.out);
  if (!o.init.empty()) c += " --init " + o.init;
  return c;
}

void run(const Options& o) {
  const auto model = Model::load(o.model);
  const ModelConfig& config = model->config();
  const std::vector<Trace> train = read_traces(o.traces, config.vocab);
  std::vector<Trace> heldout;
  if (!o.heldout.empty()) heldout = read_traces(o.heldout, config.vocab);
  if (o.heldout_limit > 0 && size_t(o.heldout_limit) < heldout.size())
    heldout.resize(size_t(o.heldout_limit));

  Judge judge = o.init.empty() ? Judge::random(JudgeShape::of(config), o.settings.seed)
                               : read_judge(o.init);
  if (!o.init.empty()) check_judge_fits(judge, config, o.init);
  const std::string work_dir = o.checkpoint_dir.empty() ? o.out + ".train" : o.checkpoint_dir;
  JudgeTrainerOptions options;
  options.resume = o.resume;
  std::fprintf(stderr, "train-judge: %zu training traces, %zu held out; %lld judge parameters; "
               "checkpoints in %s\n", train.size(), heldout.size(),
               static_cast<long long>(judge.shape().parameters()), work_dir.c_str());
  train_judge_sl(*model, train, heldout, judge, o.settings, work_dir, options);
  judge.info = {o.model, o.settings.schedule.budget, o.settings.schedule.evict_every, o.stage,
                command_line(o)};
  write_judge(o.out, judge);
  std::fprintf(stderr, "train-judge: judge written to %s\n", o.out.c_str());
}

}  // namespace

void add_train_judge_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train-judge", "train the judge on a model's traces (stage sl: "
                                                "supervised, along the golden path)");
  auto o = std::make_shared<Options>();
  JudgeTrainSettings& s = o->settings;
  cmd->add_option("--stage", o->stage, "training stage")->required()->check(CLI::IsMember({"sl"}));
  cmd->add_option("--model", o->model, "model directory")->required();
  cmd->add_option("--traces", o->traces, "training traces (from `foresight traces`)")->required();
  cmd->add_option("--heldout", o->heldout, "held-out traces for the overlap and pairwise accuracy");
  cmd->add_option("--heldout-limit", o->heldout_limit, "use only the first N held-out traces");
  cmd->add_option("--out", o->out, "judge file to write (.safetensors)")->required();
  cmd->add_option("--init", o->init, "start from this judge file (default: N(0, 0.02) from --seed)");
  cmd->add_option("--budget", s.schedule.budget, "budget B (KV entries per head)")->required();
  cmd->add_option("--evict-every", s.schedule.evict_every, "eviction length L")->capture_default_str();
  cmd->add_option("--sinks", s.schedule.sinks, "first tokens never evicted")->capture_default_str();
  cmd->add_option("--steps", s.steps, "optimisation steps")->capture_default_str();
  cmd->add_option("--traces-per-step", s.traces_per_step, "traces per step")->capture_default_str();
  cmd->add_option("--lr", s.lr, "peak learning rate (Adam)")->capture_default_str();
  cmd->add_option("--warmup", s.warmup_steps, "linear warm-up steps, then cosine to 0")
      ->capture_default_str();
  cmd->add_option("--clip", s.clip, "gradient-norm clip")->capture_default_str();
  cmd->add_option("--margin", s.margin, "pairwise hinge margin")->capture_default_str();
  cmd->add_option("--seed", s.seed, "seed of the initialisation and the trace order")
      ->capture_default_str();
  cmd->add_option("--eval-every", s.eval_every, "held-out evaluation every N steps")
      ->capture_default_str();
  cmd->add_option("--checkpoint-minutes", s.checkpoint_minutes, "minutes between checkpoints")
      ->capture_default_str();
  cmd->add_option("--checkpoint-dir", o->checkpoint_dir,
                  "checkpoint and train_log.jsonl (default: OUT.train)");
  cmd->add_flag("--resume", o->resume, "continue from the checkpoint");
  cmd->callback([o] { run(*o); });
}

}  // namespace foresight::cli
