// `foresight judge-init`: a freshly initialised judge for a model (N(0, 0.02) parameters from a
// seed, its input standardisation the identity), the starting point of training and a judge
// for tests.
#include <cstdio>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "judge/judge_file.hpp"
#include "kv/schedule.hpp"

namespace foresight::cli {

namespace {

struct Options {
  std::string model, out, features = "default";
  int budget = 0, evict_every = 128, hidden = kJudgeHidden;
  uint64_t seed = 0;
};

void run(const Options& o) {
  if (o.budget < 1) fail("--budget must be >= 1, got {}", o.budget);
  EvictionSchedule{o.budget, o.evict_every, 0}.validate();
  const ModelConfig config = ModelConfig::load(o.model);
  const JudgeFeatureSet features = JudgeFeatureSet::parse(o.features, "--features");
  Judge judge = Judge::random(JudgeShape::of(config, features, o.hidden), o.seed);
  judge.info = {o.model,
                o.budget,
                o.evict_every,
                "",
                "init",
                fmt::format("foresight judge-init --model {} --budget {} --evict-every {} "
                            "--features {} --hidden {} --out {} --seed {}",
                            o.model, o.budget, o.evict_every, o.features, o.hidden, o.out, o.seed),
                ""};  // untrained: beside no window yet
  write_judge(o.out, judge);
  const JudgeShape& s = judge.shape();
  std::fprintf(
      stderr, "judge for %d layers x %d KV heads, %d features, %lld parameters -> %s (seed %llu)\n",
      s.n_layers, s.n_kv_heads, s.features(), static_cast<long long>(s.parameters()), o.out.c_str(),
      static_cast<unsigned long long>(o.seed));
}

}  // namespace

void add_judge_init_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("judge-init", "write a freshly initialised judge for a model");
  auto o = std::make_shared<Options>();
  cmd->add_option("--model", o->model, "model directory or GGUF file")->required();
  cmd->add_option("--budget", o->budget, "budget B the judge is meant for")->required();
  cmd->add_option("--evict-every", o->evict_every, "eviction length L")->capture_default_str();
  cmd->add_option("--out", o->out, "judge file to write (.safetensors)")->required();
  cmd->add_option("--features", o->features,
                  "the judge's inputs: default (= unrotated-key,value,logstats8,position, "
                  "standardised once train-judge measures them), spec (the paper's: "
                  "key,value,stats8), or such a list")
      ->capture_default_str();
  cmd->add_option("--hidden", o->hidden, "hidden units of each (layer, KV head)'s MLP")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "seed of the N(0, 0.02) initialisation")
      ->capture_default_str();
  cmd->callback([o] { run(*o); });
}

}  // namespace foresight::cli
