// `foresight throughput`: the most sequences that fit a KV memory cap and the tokens/s of
// decoding them together, per policy, budget and generation length, with the speed-up over the
// full cache (the paper's Table 3). What is measured, and how, is in eval/throughput.hpp.
#include <unistd.h>
#include <charconv>
#include <cstdio>

#include <omp.h>

#include "cli/commands.hpp"
#include "cli/judge_options.hpp"
#include "cli/kv_memory_option.hpp"
#include "cli/weights_option.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "eval/throughput.hpp"
#include "model/random_model.hpp"

namespace foresight::cli {

namespace {

struct Options {
  std::string model, random_params, lengths = "2048,8192,16384", policies = "full,h2o",
                                    budgets = "256,512,1024", kv_memory, json, weights;
  int evict_every = 128;
  std::string sinks;  // --sinks: "" for the policy's default
  ThroughputSettings settings;
  PolicyOptions policy_options;
};

std::vector<int> parse_lengths(const std::string& text) {
  std::vector<int> lengths;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t end = std::min(text.find(',', begin), text.size());
    int value = 0;
    const auto [rest, error] = std::from_chars(text.data() + begin, text.data() + end, value);
    if (error != std::errc() || rest != text.data() + end || value < 1)
      fail("--lengths: '{}' is not a comma-separated list of positive token counts", text);
    lengths.push_back(value);
    begin = end + 1;
  }
  return lengths;
}

// A random model of a `random-model` preset, written to a scratch directory that is removed
// once loaded (the weights stay mapped).
std::unique_ptr<Model> random_model(const std::string& preset, const LoadOptions& options) {
  if (preset != "tiny" && preset != "100m")
    fail("--random-params: unknown preset '{}' (tiny, 100m)", preset);
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("foresight-throughput-{}", ::getpid());
  std::unique_ptr<Model> model;
  try {
    write_random_model(dir, RandomModelSpec::preset(preset));
    model = Model::load(dir, options);
  } catch (...) {
    std::filesystem::remove_all(dir);
    throw;
  }
  std::filesystem::remove_all(dir);
  return model;
}

void run(Options& o) {
  ThroughputSettings& s = o.settings;
  s.lengths = parse_lengths(o.lengths);
  s.kv_memory = parse_kv_memory(o.kv_memory);
  const LoadOptions load = load_options(o.weights);
  const auto model =
      o.model.empty() ? random_model(o.random_params, load) : Model::load(o.model, load);
  const ModelConfig& c = model->config();
  PolicyOptions policy_options = o.policy_options;
  policy_options.model = &c;
  s.runs = policy_grid(o.policies, o.budgets, o.evict_every, o.sinks, policy_options);

  const std::string source = o.model.empty() ? "random " + o.random_params : o.model;
  std::printf(
      "model %s (%.1fM parameters, %lld KV bytes per token), --kv-memory %lld bytes, "
      "L = %d, %d warm-up + %d timed steps, %d threads, seed %llu\n\n",
      source.c_str(), double(c.parameter_count()) / 1e6,
      static_cast<long long>(c.kv_bytes_per_token()), static_cast<long long>(s.kv_memory),
      o.evict_every, s.warmup_steps, s.steps, omp_get_max_threads(),
      static_cast<unsigned long long>(s.seed));
  std::fflush(stdout);
  Progress progress("throughput", int64_t(s.runs.size() * s.lengths.size()));
  const std::vector<ThroughputRow> rows = measure_throughput(*model, s, &progress);
  progress.finish();
  std::printf("%s", throughput_markdown(rows).c_str());
  std::fflush(stdout);
  if (o.json.empty()) return;
  const Json settings = {{"model", source},
                         {"parameters", c.parameter_count()},
                         {"kv_bytes_per_token", c.kv_bytes_per_token()},
                         {"kv_memory", s.kv_memory},
                         {"lengths", s.lengths},
                         {"policies", o.policies},
                         {"budgets", o.budgets},
                         {"evict_every", o.evict_every},
                         {"steps", s.steps},
                         {"warmup_steps", s.warmup_steps},
                         {"seed", s.seed},
                         {"threads", omp_get_max_threads()}};
  const Json doc = {{"settings", settings}, {"rows", throughput_json(rows)}};
  write_file_atomic(o.json, doc.dump(2) + "\n");
}

}  // namespace

void add_throughput_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("throughput",
                                 "largest batch under a KV memory cap and its "
                                 "decoding tokens/s, per policy, budget and length");
  auto o = std::make_shared<Options>();
  ThroughputSettings& s = o->settings;
  auto* model = cmd->add_option("--model", o->model, "model directory or GGUF file");
  auto* random = cmd->add_option("--random-params", o->random_params,
                                 "instead of --model: a random model of this preset (tiny, 100m)");
  model->excludes(random);
  add_weights_option(cmd, o->weights);
  cmd->add_option("--lengths", o->lengths, "comma-separated generation lengths (tokens)")
      ->capture_default_str();
  add_kv_memory_option(cmd, o->kv_memory, "2G");
  cmd->add_option("--policies", o->policies, "comma-separated policies, full among them")
      ->capture_default_str();
  cmd->add_option("--budgets", o->budgets, "comma-separated budgets (KV entries per head)")
      ->capture_default_str();
  cmd->add_option("--evict-every", o->evict_every, "eviction length L")->capture_default_str();
  cmd->add_option("--sinks", o->sinks,
                  "first tokens never evicted: N, or 'prompt' for every "
                  "prompt token (default: the policy's)");
  add_judge_options(cmd, o->policy_options);
  cmd->add_option("--steps", s.steps, "timed decoding steps per configuration")
      ->capture_default_str();
  cmd->add_option("--warmup", s.warmup_steps, "untimed steps before them")->capture_default_str();
  cmd->add_option("--seed", s.seed, "synthetic cache entries and first tokens")
      ->capture_default_str();
  cmd->add_option("--json", o->json, "also write the settings and rows to this JSON file");
  cmd->callback([o, model, random] {
    if (model->count() == 0 && random->count() == 0)
      fail("throughput: give --model DIR or --random-params PRESET");
    run(*o);
  });
}

}  // namespace foresight::cli
