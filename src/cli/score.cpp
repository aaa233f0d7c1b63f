// `foresight score`: teacher-forced fidelity of policies on known traces (loss ratio against
// the full cache, and the loss rise on low- versus high-entropy tokens).
#include <cstdio>

#include "cli/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/progress.hpp"
#include "eval/fidelity.hpp"
#include "eval/policy_grid.hpp"

namespace foresight::cli {

namespace {

struct Options {
  std::string model, traces, policies = "full", budgets, json;
  int evict_every = 128, sinks = -1, limit = 0;
  uint64_t seed = 0;
};

// The scored part (from the prompt's end) of a per-token array.
Json scored(const std::vector<float>& values, int prompt_len) {
  return Json(std::vector<float>(values.begin() + prompt_len, values.end()));
}

void run(const Options& o) {
  const auto model = Model::load(o.model);
  const ModelConfig& config = model->config();
  const auto runs = policy_grid(o.policies, o.budgets, o.evict_every, o.sinks, "--policy", "--budget");
  std::vector<Trace> traces = read_traces(o.traces, config.vocab);
  if (o.limit > 0 && size_t(o.limit) < traces.size()) traces.resize(size_t(o.limit));
  const auto n_traces = int64_t(traces.size());

  // Jobs: the missing full-cache references first, then every (run, trace) pair.
  std::vector<int64_t> missing;
  for (int64_t i = 0; i < n_traces; ++i)
    if (!traces[i].has_reference()) missing.push_back(i);
  const int64_t n_jobs = int64_t(missing.size()) + int64_t(runs.size()) * n_traces;
  std::vector<std::vector<TokenLosses>> losses(runs.size(), std::vector<TokenLosses>(n_traces));
  Progress progress("score", n_jobs);
  auto job = [&](int64_t j) {
    if (j < int64_t(missing.size())) {
      Trace& t = traces[missing[j]];
      Sequence seq(config, EvictionSchedule{0, o.evict_every, 0});
      TokenLosses full = teacher_forced_losses(*model, seq, t.ids);
      t.ce = std::move(full.ce), t.entropy = std::move(full.entropy);
    } else {
      const int64_t k = j - int64_t(missing.size()), r = k / n_traces, i = k % n_traces;
      Sequence seq(config, runs[r].schedule, runs[r].impl, o.seed + uint64_t(i));
      losses[r][i] = teacher_forced_losses(*model, seq, traces[i].ids);
    }
    progress.advance();
  };
  // References are finished before the runs that are summarised against them.
  const int64_t n_missing = int64_t(missing.size());
  parallel_jobs(n_missing, job);
  parallel_jobs(n_jobs - n_missing, [&](int64_t j) { job(n_missing + j); });
  progress.finish();

  Json summary = Json::array();
  std::printf("| policy | budget | L | loss | loss ratio | low-entropy rise | high-entropy rise |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (size_t r = 0; r < runs.size(); ++r) {
    std::vector<std::vector<float>> ce(traces.size());
    for (int64_t i = 0; i < n_traces; ++i) ce[i] = losses[r][i].ce;
    const FidelitySummary s = summarize_fidelity(traces, ce);
    const std::string budget = runs[r].budget ? std::to_string(*runs[r].budget) : "—";
    std::printf("| %s | %s | %d | %.4f | %.3f | %+.1f%% | %+.1f%% |\n", runs[r].policy.c_str(),
                budget.c_str(), o.evict_every, s.loss, s.loss_ratio, 100 * s.low_entropy_rise,
                100 * s.high_entropy_rise);
    summary.push_back({{"policy", runs[r].policy},
                       {"budget", runs[r].budget ? Json(*runs[r].budget) : Json(nullptr)},
                       {"evict_every", o.evict_every},
                       {"sinks", runs[r].schedule.sinks},
                       {"tokens", s.tokens},
                       {"full_loss", s.full_loss},
                       {"loss", s.loss},
                       {"loss_ratio", s.loss_ratio},
                       {"low_entropy_rise", s.low_entropy_rise},
                       {"high_entropy_rise", s.high_entropy_rise}});
  }
  int64_t scored_tokens = 0;
  for (const Trace& t : traces) scored_tokens += int64_t(t.ids.size()) - t.prompt_len;
  std::fprintf(stderr, "%lld traces, %lld scored tokens, seed %llu\n", (long long)n_traces,
               (long long)scored_tokens, (unsigned long long)o.seed);
  if (o.json.empty()) return;

  Json per_trace = Json::array();
  for (int64_t i = 0; i < n_traces; ++i) {
    const Trace& t = traces[i];
    Json item = {{"id", t.id}, {"group", t.group}, {"prompt_len", t.prompt_len},
                 {"full_ce", scored(t.ce, t.prompt_len)},
                 {"full_entropy", scored(t.entropy, t.prompt_len)}, {"runs", Json::object()}};
    for (size_t r = 0; r < runs.size(); ++r)
      item["runs"][run_label(runs[r])] = {{"ce", scored(losses[r][i].ce, t.prompt_len)},
                                          {"entropy", scored(losses[r][i].entropy, t.prompt_len)}};
    per_trace.push_back(std::move(item));
  }
  const Json settings = {{"model", o.model}, {"traces", o.traces}, {"evict_every", o.evict_every},
                         {"seed", o.seed}, {"n_traces", n_traces}};
  write_file_atomic(o.json, Json{{"settings", settings}, {"summary", summary}, {"traces", per_trace}}
                                .dump() + "\n");
}

}  // namespace

void add_score_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("score", "teacher-forced loss of policies on traces, against "
                                          "the full cache");
  auto o = std::make_shared<Options>();
  cmd->add_option("--model", o->model, "model directory")->required();
  cmd->add_option("--traces", o->traces, "traces (.safetensors from `foresight traces`, or "
                                         ".jsonl of {\"ids\", \"prompt_len\"})")->required();
  cmd->add_option("--policy", o->policies, "policies, comma-separated")->capture_default_str();
  cmd->add_option("--budget", o->budgets, "budgets, comma-separated (KV entries per head)");
  cmd->add_option("--evict-every", o->evict_every, "eviction length L")->capture_default_str();
  cmd->add_option("--sinks", o->sinks, "first tokens never evicted (default: the policy's)");
  cmd->add_option("--seed", o->seed, "seed of randomised policies (trace i uses seed + i)")
      ->capture_default_str();
  cmd->add_option("--limit", o->limit, "score only the first N traces");
  cmd->add_option("--json", o->json, "write the summary and per-token arrays to this file");
  cmd->callback([o] { run(*o); });
}

}  // namespace foresight::cli
