// `foresight score`: teacher-forced fidelity of policies on known traces (loss ratio against
// the full cache, and the loss rise on low- versus high-entropy tokens).
#include <algorithm>
#include <cstdio>
#include <optional>

#include <omp.h>

#include "cli/commands.hpp"
#include "cli/judge_options.hpp"
#include "cli/recent_option.hpp"
#include "cli/weights_option.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/progress.hpp"
#include "dist/cluster.hpp"
#include "dist/gather.hpp"
#include "dist/job_progress.hpp"
#include "eval/fidelity.hpp"
#include "eval/policy_grid.hpp"
#include "train/golden.hpp"

namespace foresight::cli {

namespace {

struct Options {
  std::string model, traces, policies = "full", budgets, json, weights;
  int evict_every = 128, limit = 0;
  std::string sinks;   // --sinks: "" for the policy's default
  std::string recent;  // --recent: "" for the policy's default
  uint64_t seed = 0;
  float harm_threshold = 1e-2f;
  PolicyOptions policy_options;
};

// The scored part (from the prompt's end) of a per-token array.
Json scored(const std::vector<float>& values, int prompt_len) {
  return Json(std::vector<float>(values.begin() + prompt_len, values.end()));
}

// What a run's evictions took from the future on one trace.
struct Harm {
  int64_t decisions = 0, harmful = 0;  // decisions: (layer, eviction, KV head)
  double evicted_attention = 0;
};

void run(const Options& o) {
  const auto model = Model::load(o.model, load_options(o.weights));
  const ModelConfig& config = model->config();
  PolicyOptions policy_options = o.policy_options;
  policy_options.model = &config;
  auto runs = policy_grid(o.policies, o.budgets, o.evict_every, o.sinks, policy_options, "policy",
                          "budget");
  if (!o.recent.empty())
    for (PolicyRun& run : runs) run.schedule.set_recent(o.recent);
  std::vector<Trace> traces = read_traces(o.traces, config.vocab);
  if (o.limit > 0 && size_t(o.limit) < traces.size()) traces.resize(size_t(o.limit));
  const auto n_traces = int64_t(traces.size());
  // The future attention is recorded when golden needs it, and for --json, whose summary
  // counts what every policy's evictions take from the future (harmful evictions).
  const bool golden =
      !o.json.empty() || std::any_of(runs.begin(), runs.end(), [](const PolicyRun& r) {
        return r.impl && r.impl->needs_future();
      });

  // Under mpirun each rank replays the traces it owns; rank 0 gathers, prints and writes.
  const Cluster& cluster = Cluster::world();
  std::vector<int64_t> mine;
  for (int64_t i = 0; i < n_traces; ++i)
    if (cluster.owns(i)) mine.push_back(i);
  const auto n_mine = int64_t(mine.size());
  // Progress in tokens replayed: a full-cache pass over every trace that lacks its reference or
  // whose future attention is needed, then every (run, trace) pair.
  int64_t work = 0;
  for (int64_t i : mine)
    work += int64_t(traces[i].ids.size()) *
            ((golden || !traces[i].has_reference()) + int64_t(runs.size()));
  std::vector<std::vector<TokenLosses>> losses(runs.size(), std::vector<TokenLosses>(n_traces));
  std::vector<std::vector<Harm>> harm(runs.size(), std::vector<Harm>(n_traces));
  Progress progress("score", work, "tok", cluster.root() ? stderr : nullptr);
  std::optional<JobProgress> job(std::in_place, cluster, progress);
  // A future attention table holds about T^2 / (2L) floats per layer and KV head, so under
  // golden the traces go in batches of one per thread, each batch's tables freed after it.
  const int64_t batch = golden ? std::max(1, omp_get_max_threads()) : std::max<int64_t>(n_mine, 1);
  for (int64_t begin = 0; begin < n_mine; begin += batch) {
    const int64_t n = std::min(batch, n_mine - begin);
    std::vector<std::shared_ptr<const FutureAttention>> futures(static_cast<size_t>(n));
    // References are finished before the runs that are summarised against them.
    parallel_jobs(n, [&](int64_t j) {
      Trace& t = traces[mine[begin + j]];
      if (!golden && t.has_reference()) return;
      TokenLosses full;
      if (golden)
        futures[j] = std::make_shared<const FutureAttention>(record_future_attention(
            *model, t.ids, o.evict_every, t.has_reference() ? nullptr : &full));
      else {
        Sequence seq(config, {.schedule = EvictionSchedule{0, o.evict_every, 0}});
        full = teacher_forced_losses(*model, seq, t.ids);
      }
      if (!t.has_reference()) t.ce = std::move(full.ce), t.entropy = std::move(full.entropy);
      progress.advance(int64_t(t.ids.size()));
    });
    parallel_jobs(int64_t(runs.size()) * n, [&](int64_t k) {
      const int64_t r = k / n, j = k % n, i = mine[begin + j];
      const PolicyRun& run = runs[r];
      Sequence seq(config, {.schedule = run.schedule,
                            .policy = run.impl,
                            .seed = o.seed + uint64_t(i),
                            .future = run.impl ? futures[j] : nullptr,
                            .prompt_length = traces[i].prompt_len,
                            .harm_threshold = o.harm_threshold});
      losses[r][i] = teacher_forced_losses(*model, seq, traces[i].ids);
      const EvictionStats& stats = seq.stats();
      harm[r][i] = {stats.evictions * config.n_kv_heads, stats.harmful_evictions,
                    stats.evicted_future_attention};
      progress.advance(int64_t(traces[i].ids.size()));
    });
  }
  job.reset();  // the bar finishes, with the job's counts
  // Rank 0 receives the others' references (when they computed them) and runs' losses and harm.
  gather_owned(
      cluster, n_traces, 1,
      [&](ByteWriter& out, int64_t i) {
        out.put(traces[i].ce), out.put(traces[i].entropy);
        for (size_t r = 0; r < runs.size(); ++r)
          out.put(losses[r][i].ce), out.put(losses[r][i].entropy), out.put(harm[r][i]);
      },
      [&](ByteReader& in, int64_t i) {
        traces[i].ce = in.get_vector<float>(), traces[i].entropy = in.get_vector<float>();
        for (size_t r = 0; r < runs.size(); ++r) {
          losses[r][i].ce = in.get_vector<float>(), losses[r][i].entropy = in.get_vector<float>();
          harm[r][i] = in.get<Harm>();
        }
      });
  if (!cluster.root()) return;

  Json summary = Json::array();
  // Rises in nats per token, then relative (the paper's measure) in brackets.
  std::printf(
      "| policy | budget | L | loss | loss ratio | low-entropy rise | high-entropy rise |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (size_t r = 0; r < runs.size(); ++r) {
    std::vector<std::vector<float>> ce(traces.size());
    for (int64_t i = 0; i < n_traces; ++i) ce[i] = losses[r][i].ce;
    const FidelitySummary s = summarize_fidelity(traces, ce);
    Harm total;
    for (const Harm& h : harm[r])
      total.decisions += h.decisions, total.harmful += h.harmful,
          total.evicted_attention += h.evicted_attention;
    const double per = total.decisions > 0 ? 1.0 / double(total.decisions) : 0.0;
    const std::string budget = runs[r].budget ? std::to_string(*runs[r].budget) : "—";
    std::printf("| %s | %s | %d | %.4f | %.4g | %+.4f (%+.3g%%) | %+.4f (%+.3g%%) |\n",
                runs[r].policy.c_str(), budget.c_str(), o.evict_every, s.loss, s.loss_ratio,
                s.low_entropy_delta, 100 * s.low_entropy_rise, s.high_entropy_delta,
                100 * s.high_entropy_rise);
    summary.push_back({{"policy", runs[r].policy},
                       {"budget", runs[r].budget ? Json(*runs[r].budget) : Json(nullptr)},
                       {"evict_every", o.evict_every},
                       {"sinks", runs[r].schedule.sinks_name()},
                       {"recent", runs[r].schedule.recent_name()},
                       {"tokens", s.tokens},
                       {"full_loss", s.full_loss},
                       {"loss", s.loss},
                       {"loss_ratio", s.loss_ratio},
                       {"low_entropy_rise", s.low_entropy_rise},
                       {"high_entropy_rise", s.high_entropy_rise},
                       {"low_entropy_delta", s.low_entropy_delta},
                       {"high_entropy_delta", s.high_entropy_delta},
                       {"harm_threshold", o.harm_threshold},
                       {"decisions", total.decisions},
                       {"harmful_per_decision", double(total.harmful) * per},
                       {"evicted_attention_per_decision", total.evicted_attention * per}});
  }
  int64_t scored_tokens = 0;
  for (const Trace& t : traces) scored_tokens += int64_t(t.ids.size()) - t.prompt_len;
  std::fprintf(stderr, "%lld traces, %lld scored tokens, seed %llu\n", (long long)n_traces,
               (long long)scored_tokens, (unsigned long long)o.seed);
  if (o.json.empty()) return;

  Json per_trace = Json::array();
  for (int64_t i = 0; i < n_traces; ++i) {
    const Trace& t = traces[i];
    Json item = {{"id", t.id},
                 {"group", t.group},
                 {"prompt_len", t.prompt_len},
                 {"full_ce", scored(t.ce, t.prompt_len)},
                 {"full_entropy", scored(t.entropy, t.prompt_len)},
                 {"runs", Json::object()}};
    for (size_t r = 0; r < runs.size(); ++r)
      item["runs"][run_label(runs[r])] = {{"ce", scored(losses[r][i].ce, t.prompt_len)},
                                          {"entropy", scored(losses[r][i].entropy, t.prompt_len)}};
    per_trace.push_back(std::move(item));
  }
  Json settings = {{"model", o.model},
                   {"traces", o.traces},
                   {"evict_every", o.evict_every},
                   {"seed", o.seed},
                   {"n_traces", n_traces}};
  if (!o.policy_options.judges.empty())
    settings["judge"] = {{"files", o.policy_options.judges}, {"mode", o.policy_options.judge_mode}};
  write_file_atomic(
      o.json,
      Json{{"settings", settings}, {"summary", summary}, {"traces", per_trace}}.dump() + "\n");
}

}  // namespace

void add_score_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("score",
                                 "teacher-forced loss of policies on traces, against "
                                 "the full cache");
  auto o = std::make_shared<Options>();
  cmd->add_option("--model", o->model, "model directory or GGUF file")->required();
  add_weights_option(cmd, o->weights);
  cmd->add_option("--traces", o->traces,
                  "traces (.safetensors from `foresight traces`, or "
                  ".jsonl of {\"ids\", \"prompt_len\"})")
      ->required();
  cmd->add_option("--policy", o->policies,
                  "policies, comma-separated (golden: the oracle, "
                  "from each trace's recorded future attention)")
      ->capture_default_str();
  add_judge_options(cmd, o->policy_options);
  cmd->add_option("--budget", o->budgets, "budgets, comma-separated (KV entries per head)");
  cmd->add_option("--evict-every", o->evict_every, "eviction length L")->capture_default_str();
  cmd->add_option("--sinks", o->sinks,
                  "first tokens never evicted: N, or 'prompt' for every "
                  "prompt token (default: the policy's)");
  add_recent_option(cmd, o->recent);
  cmd->add_option("--harm-threshold", o->harm_threshold,
                  "--json: future attention above which "
                  "an eviction counts as harmful")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "seed of randomised policies (trace i uses seed + i)")
      ->capture_default_str();
  cmd->add_option("--limit", o->limit, "score only the first N traces");
  cmd->add_option("--json", o->json, "write the summary and per-token arrays to this file");
  cmd->callback([o] { run(*o); });
}

}  // namespace foresight::cli
