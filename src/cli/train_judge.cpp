// `foresight train-judge`: training of the judge on a model's traces. Stage sl is supervised,
// teacher-forced along the golden path (src/train/judge_trainer.hpp); stage rl refines a
// supervised judge by GRPO over the eviction MDP (src/train/judge_rl_trainer.hpp).
#include <cmath>
#include <cstdio>
#include <optional>

#include "cli/commands.hpp"
#include "cli/recent_option.hpp"
#include "core/error.hpp"
#include "dist/cluster.hpp"
#include "eval/fidelity.hpp"
#include "eval/heldout_accuracy.hpp"
#include "eval/policy_grid.hpp"
#include "judge/judge_file.hpp"
#include "policy/foresight.hpp"
#include "tasks/dataset.hpp"
#include "train/judge_rl_trainer.hpp"
#include "train/judge_trainer.hpp"

namespace foresight::cli {

namespace {

struct Options {
  std::string stage, model, traces, heldout, heldout_tasks, out, init, checkpoint_dir;
  std::string reward = "squared", log_prob = "exact";
  std::string sinks, recent, budgets, loss = "weighted", features = "default";
  std::string judge_mode = PolicyOptions{}.judge_mode;  // of --heldout-tasks, as eval's
  int heldout_limit = 0, max_new_tokens = 3072, hidden = kJudgeHidden;
  float phi_scale = 1;  // rl: the --init judge's scores scaled before training
  bool resume = false;
  EvictionSchedule schedule;
  // Shared options whose defaults depend on the stage (the settings' own defaults).
  std::optional<int64_t> steps;
  std::optional<int> traces_per_step;
  std::optional<double> lr;
  double clip = 1.0;
  CheckpointSchedule checkpoint{2, 0};
  uint64_t seed = 0;
  int64_t eval_every = 50;
  JudgeTrainSettings sl;  // its stage-only options: --warmup, --margin
  JudgeRlSettings rl;     // --group, --epochs, --clip-eps, --kl-beta, --kl-steps (and below)
};

const std::vector<std::string> kSlOnly = {"--warmup",   "--margin",        "--loss",
                                          "--own-path", "--budgets",       "--features",
                                          "--hidden",   "--harm-threshold"};
const std::vector<std::string> kRlOnly = {"--group",    "--epochs",     "--clip-eps",
                                          "--kl-beta",  "--kl-steps",   "--reward",
                                          "--log-prob", "--large-rise", "--phi-scale"};

// The settings of the chosen stage from the command line.
template <typename Settings>
Settings stage_settings(const Options& o, Settings s) {
  s.schedule = o.schedule;
  s.steps = o.steps.value_or(s.steps);
  s.traces_per_step = o.traces_per_step.value_or(s.traces_per_step);
  s.lr = o.lr.value_or(s.lr);
  s.clip = o.clip;
  s.seed = o.seed;
  s.eval_every = o.eval_every;
  s.checkpoint = o.checkpoint;
  return s;
}

std::string command_line(const Options& o) {
  const EvictionSchedule& b = o.schedule;
  std::string c = fmt::format(
      "foresight train-judge --stage {} --model {} --traces {} --budget {} "
      "--evict-every {} --sinks {} --recent {} ",
      o.stage, o.model, o.traces, b.budget, b.evict_every, b.sinks_name(), b.recent_name());
  if (o.stage == "sl") {
    const JudgeTrainSettings s = stage_settings(o, o.sl);
    c += fmt::format(
        "--steps {} --traces-per-step {} --lr {} --warmup {} --clip {} --margin {} "
        "--loss {} --own-path {}",
        s.steps, s.traces_per_step, s.lr, s.warmup_steps, s.clip, s.teacher.margin,
        pair_weight_name(s.teacher.weight), s.own_path);
    if (o.init.empty()) c += fmt::format(" --features {} --hidden {}", o.features, o.hidden);
    if (!o.budgets.empty()) c += " --budgets " + o.budgets;
  } else {
    const JudgeRlSettings s = stage_settings(o, o.rl);
    c += fmt::format(
        "--steps {} --traces-per-step {} --group {} --epochs {} --lr {} --clip {} "
        "--clip-eps {} --kl-beta {} --kl-steps {} --reward {} --large-rise {} "
        "--log-prob {} --phi-scale {}",
        s.steps, s.traces_per_step, s.group, s.epochs, s.lr, s.clip, s.clip_eps, s.kl_beta,
        s.kl_steps, reward_name(s.reward), s.large_rise, draw_log_prob_name(s.log_prob),
        o.phi_scale);
  }
  c += fmt::format(" --seed {} --out {}", o.seed, o.out);
  if (!o.init.empty()) c += " --init " + o.init;
  return c;
}

void run(const CLI::App& cmd, Options o) {
  const bool rl = o.stage == "rl";
  for (const std::string& name : rl ? kSlOnly : kRlOnly)
    if (cmd.count(name) > 0) fail("{} applies to --stage {} only", name, rl ? "sl" : "rl");
  if (rl && o.init.empty())
    fail(
        "--stage rl needs --init FILE: the supervised judge (from --stage sl) it starts from "
        "and is kept near");
  // Parse the stage's choices before the long loads, so a typo fails at once.
  o.rl.reward = parse_reward(o.reward);
  o.rl.log_prob = parse_draw_log_prob(o.log_prob);
  o.sl.teacher.weight = parse_pair_weight(o.loss);
  o.schedule.set_sinks(o.sinks, 0);
  o.schedule.set_recent(o.recent);
  if (!(o.phi_scale > 0 && std::isfinite(o.phi_scale)))
    fail("--phi-scale must be a finite number > 0, got {}", o.phi_scale);
  if (!o.budgets.empty()) o.sl.budgets = parse_budgets(o.budgets, "budgets");
  const JudgeFeatureSet features = JudgeFeatureSet::parse(o.features, "--features");
  for (const char* name : {"--features", "--hidden"})
    if (!o.init.empty() && cmd.count(name) > 0)
      fail("{} applies to a judge trained from scratch; --init {} has its own", name, o.init);
  std::vector<TaskProblem> problems;
  std::optional<Tokenizer> tokenizer;
  if (!o.heldout_tasks.empty()) {
    problems = read_dataset(o.heldout_tasks);
    tokenizer = Tokenizer::for_model(o.model);
  }

  const auto model = Model::load(o.model);
  const ModelConfig& config = model->config();
  std::vector<Trace> train = read_traces(o.traces, config.vocab);
  std::vector<Trace> heldout;
  if (!o.heldout.empty()) heldout = read_traces(o.heldout, config.vocab);
  if (o.heldout_limit > 0 && size_t(o.heldout_limit) < heldout.size())
    heldout.resize(size_t(o.heldout_limit));

  Judge judge = o.init.empty() ? Judge::random(JudgeShape::of(config, features, o.hidden), o.seed)
                               : read_judge(o.init);
  if (!o.init.empty()) {
    check_judge_fits(judge, config, o.init);
    // A trained judge keeps the standardisation it learned with; a fresh one is measured.
    if (judge.info.stage != "init") o.sl.standardise_traces = 0;
    // ... and the window it learned beside, unless told otherwise.
    if (o.recent.empty()) {
      o.recent = judge.info.recent;
      o.schedule.set_recent(o.recent);
    }
  }
  const std::string work_dir = o.checkpoint_dir.empty() ? o.out + ".train" : o.checkpoint_dir;
  // Under mpirun both stages share each step's traces over the ranks (rank 0 logs,
  // checkpoints and writes the judge).
  const Cluster& cluster = Cluster::world();
  JudgeTrainerOptions options;
  options.resume = o.resume;
  options.cluster = &cluster;
  if (!cluster.root()) options.log = nullptr;
  if (!o.heldout_tasks.empty()) {
    options.accuracy = [&](const Judge& j) {
      const PolicyRun run{"foresight", o.schedule.budget, o.schedule,
                          make_foresight_policy(j, o.judge_mode == "sample")};
      return greedy_accuracy(*model, *tokenizer, problems, run, o.max_new_tokens, &cluster);
    };
  }
  if (cluster.root())
    std::fprintf(stderr,
                 "train-judge: %zu training traces, %zu held out; %lld judge parameters; "
                 "checkpoints in %s\n",
                 train.size(), heldout.size(), static_cast<long long>(judge.shape().parameters()),
                 work_dir.c_str());
  if (rl) {
    int64_t missing = 0;
    for (const std::vector<Trace>* set : {&train, &heldout})
      for (const Trace& t : *set) missing += !t.has_reference();
    if (missing > 0) {
      std::fprintf(stderr, "train-judge: computing the full-cache reference of %lld traces\n",
                   static_cast<long long>(missing));
      add_full_cache_references(*model, train, o.schedule.evict_every);
      add_full_cache_references(*model, heldout, o.schedule.evict_every);
    }
    judge.scale_scores(o.phi_scale);
    const Judge reference = judge;  // the supervised judge (scaled), frozen
    train_judge_rl(*model, train, heldout, judge, reference, stage_settings(o, o.rl), work_dir,
                   options);
  } else {
    train_judge_sl(*model, train, heldout, judge, stage_settings(o, o.sl), work_dir, options);
  }
  if (!cluster.root()) return;
  if (cluster.size() > 1)
    std::fprintf(stderr, "train-judge: %d ranks; rank 0 spent %.3f s in MPI collectives\n",
                 cluster.size(), cluster.collective_seconds());
  judge.info = {o.model,
                o.schedule.budget,
                o.schedule.evict_every,
                rl || o.budgets.empty() ? "" : o.budgets,
                o.stage,
                command_line(o),
                o.recent};
  write_judge(o.out, judge);
  std::fprintf(stderr, "train-judge: judge written to %s\n", o.out.c_str());
}

}  // namespace

void add_train_judge_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train-judge",
                                 "train the judge on a model's traces (stage sl: "
                                 "supervised, along the golden path; stage rl: "
                                 "GRPO over sampled evictions)");
  auto o = std::make_shared<Options>();
  const JudgeTrainSettings sl;
  const JudgeRlSettings rl;
  const auto both = [](auto a, auto b) {
    return fmt::format(" (default {} for sl, {} for rl)", a, b);
  };
  cmd->add_option("--stage", o->stage, "training stage: sl or rl")
      ->required()
      ->check(CLI::IsMember({"sl", "rl"}));
  cmd->add_option("--model", o->model, "model directory or GGUF file")->required();
  cmd->add_option("--traces", o->traces, "training traces (from `foresight traces`, or JSONL)")
      ->required();
  cmd->add_option("--heldout", o->heldout, "held-out traces, evaluated every --eval-every steps");
  cmd->add_option("--heldout-limit", o->heldout_limit, "use only the first N held-out traces");
  cmd->add_option("--heldout-tasks", o->heldout_tasks,
                  "held-out problems (JSONL, as for eval), "
                  "solved greedily with the judge at --budget at every held-out evaluation");
  cmd->add_option("--max-new-tokens", o->max_new_tokens, "generation limit of --heldout-tasks")
      ->capture_default_str();
  cmd->add_option("--judge-mode", o->judge_mode,
                  "the judge's evictions in --heldout-tasks: "
                  "sample or topk (as eval's)")
      ->capture_default_str()
      ->check(CLI::IsMember({"sample", "topk"}));
  cmd->add_option("--out", o->out, "judge file to write (.safetensors)")->required();
  cmd->add_option("--init", o->init,
                  "start from this judge file (sl: default N(0, 0.02) from "
                  "--seed; rl: required, the supervised judge)");
  cmd->add_option("--budget", o->schedule.budget, "budget B (KV entries per head)")->required();
  cmd->add_option("--evict-every", o->schedule.evict_every, "eviction length L")
      ->capture_default_str();
  cmd->add_option("--sinks", o->sinks,
                  "first tokens never evicted: N, or 'prompt' for every "
                  "prompt token (default 0)");
  add_recent_option(cmd, o->recent);
  cmd->add_option_function<int64_t>(
      "--steps", [o](const int64_t& v) { o->steps = v; },
      "optimisation steps" + both(sl.steps, rl.steps));
  cmd->add_option_function<int>(
      "--traces-per-step", [o](const int& v) { o->traces_per_step = v; },
      "traces per step" + both(sl.traces_per_step, rl.traces_per_step));
  cmd->add_option_function<double>(
      "--lr", [o](const double& v) { o->lr = v; },
      "learning rate of Adam (sl: the peak)" + both(sl.lr, rl.lr));
  cmd->add_option("--clip", o->clip, "gradient-norm clip")->capture_default_str();
  cmd->add_option("--seed", o->seed,
                  "seed of the initialisation, the trace order and the "
                  "rollouts")
      ->capture_default_str();
  cmd->add_option("--eval-every", o->eval_every, "held-out evaluation every N steps")
      ->capture_default_str();
  cmd->add_option("--checkpoint-minutes", o->checkpoint.minutes, "minutes between checkpoints")
      ->capture_default_str();
  cmd->add_option("--checkpoint-every", o->checkpoint.steps,
                  "also a checkpoint every N steps (0: by the clock only)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--checkpoint-dir", o->checkpoint_dir,
                  "checkpoint and train_log.jsonl (default: OUT.train)");
  cmd->add_flag("--resume", o->resume, "continue from the checkpoint");
  // Stage sl.
  cmd->add_option("--warmup", o->sl.warmup_steps, "sl: linear warm-up steps, then cosine to 0")
      ->capture_default_str();
  cmd->add_option("--margin", o->sl.teacher.margin, "sl: pairwise hinge margin")
      ->capture_default_str();
  cmd->add_option("--loss", o->loss,
                  "sl: weighted (each ordered pair weighted by its target "
                  "gap) or uniform (the paper's)")
      ->capture_default_str();
  cmd->add_option("--features", o->features,
                  "sl: the judge's inputs: default (unrotated keys, "
                  "log statistics, position; standardised), spec "
                  "(the paper's) or a list (see judge-init)")
      ->capture_default_str();
  cmd->add_option("--hidden", o->hidden, "sl: hidden units of each (layer, KV head)'s MLP")
      ->capture_default_str();
  cmd->add_option("--own-path", o->sl.own_path,
                  "sl: share of each step's traces replayed along "
                  "the judge's own draws (the rest: golden path)")
      ->capture_default_str();
  cmd->add_option("--budgets", o->budgets,
                  "sl: train at these budgets, comma-separated (trace "
                  "by trace in turn; default: --budget alone)");
  cmd->add_option("--harm-threshold", o->sl.teacher.harm_threshold,
                  "future attention above "
                  "which an eviction counts as harmful (the metrics)")
      ->capture_default_str();
  // Stage rl.
  cmd->add_option("--group", o->rl.group, "rl: rollouts per trace (G)")->capture_default_str();
  cmd->add_option("--epochs", o->rl.epochs, "rl: Adam steps on each batch of rollouts")
      ->capture_default_str();
  cmd->add_option("--clip-eps", o->rl.clip_eps, "rl: PPO clip range")->capture_default_str();
  cmd->add_option("--kl-beta", o->rl.kl_beta, "rl: weight of the KL to the --init judge")
      ->capture_default_str();
  cmd->add_option("--kl-steps", o->rl.kl_steps, "rl: steps with the KL term (then beta = 0)")
      ->capture_default_str();
  cmd->add_option("--reward", o->reward,
                  "rl: squared (large rises squared, 80% lowest-entropy "
                  "tokens), all, low or low-large")
      ->capture_default_str();
  cmd->add_option("--large-rise", o->rl.large_rise,
                  "rl: nats of CE rise above the full cache's "
                  "that count as large (squared, low-large)")
      ->capture_default_str();
  cmd->add_option("--phi-scale", o->phi_scale,
                  "rl: scale the --init judge's scores by S before "
                  "training: the same topk evictions, S times sharper draws")
      ->capture_default_str();
  cmd->add_option("--log-prob", o->log_prob,
                  "rl: exact (Plackett-Luce of the ordered draw) or "
                  "surrogate (per-index log-softmax)")
      ->capture_default_str();
  cmd->callback([cmd, o] { run(*cmd, *o); });
}

}  // namespace foresight::cli
