// `foresight eval`: accuracy of every policy at every budget on a JSONL dataset, as a table on
// stdout and a report (JSON, CSV, Markdown, SVG, and every graded sample) in --out.
#include <chrono>
#include <cstdio>
#include <optional>

#include <omp.h>

#include "cli/commands.hpp"
#include "cli/judge_options.hpp"
#include "cli/kv_memory_option.hpp"
#include "cli/recent_option.hpp"
#include "cli/weights_option.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "dist/cluster.hpp"
#include "dist/job_progress.hpp"
#include "eval/accuracy_eval.hpp"
#include "eval/report.hpp"

namespace foresight::cli {

namespace {

struct Options {
  std::string model, dataset, policies = "full", budgets, grader = "answer-line", out, kv_memory,
                              weights;
  int evict_every = 128, limit = 0, max_batch = 0;
  std::string sinks;   // --sinks: "" for the policy's default
  std::string recent;  // --recent: "" for the policy's default
  AccuracySettings settings;
  PolicyOptions policy_options;
};

// samples.jsonl: one line per generation, for looking at what went wrong.
std::string samples_jsonl(const AccuracyResult& result, std::span<const TaskProblem> problems,
                          const std::vector<PolicyRun>& runs) {
  std::string text;
  for (const SampleOutcome& s : result.samples) {
    const PolicyRun& run = runs[s.run];
    text += Json{{"policy", run.policy},
                 {"budget", run.budget ? Json(*run.budget) : Json(nullptr)},
                 {"id", problems[s.problem].id},
                 {"group", problems[s.problem].group},
                 {"sample", s.sample},
                 {"correct", s.correct},
                 {"stopped", s.stopped},
                 {"generated_tokens", s.generated_tokens},
                 {"peak_kv_bytes", s.peak_kv_bytes},
                 {"answer", problems[s.problem].answer},
                 {"output", s.output}}
                .dump(-1, ' ', false, Json::error_handler_t::replace) +
            "\n";
  }
  return text;
}

void run(Options& o) {
  AccuracySettings& s = o.settings;
  s.grader = parse_grader(o.grader);
  s.batch.kv_memory = parse_kv_memory(o.kv_memory);
  const ModelConfig config = ModelConfig::load(o.model);  // the judge is checked against it
  PolicyOptions policy_options = o.policy_options;
  policy_options.model = &config;
  s.runs = policy_grid(o.policies, o.budgets, o.evict_every, o.sinks, policy_options);
  if (!o.recent.empty())
    for (PolicyRun& run : s.runs) run.schedule.set_recent(o.recent);
  std::vector<TaskProblem> problems = read_dataset(o.dataset);
  if (o.limit > 0 && size_t(o.limit) < problems.size()) problems.resize(size_t(o.limit));
  const auto model = Model::load(o.model, load_options(o.weights));
  const Tokenizer tokenizer = Tokenizer::for_model(o.model);

  const auto start = std::chrono::steady_clock::now();
  // Under mpirun the ranks share the generations; rank 0 reports and writes.
  const Cluster& cluster = Cluster::world();
  s.cluster = &cluster;
  // in generated tokens, against the most that the runs can still generate
  const int64_t generations = int64_t(s.runs.size()) * int64_t(problems.size()) * s.samples;
  Progress progress("eval", cluster.share(generations) * s.max_new_tokens, "tok",
                    cluster.root() ? stderr : nullptr);
  std::optional<JobProgress> job(std::in_place, cluster, progress);
  const AccuracyResult result = evaluate_accuracy(*model, tokenizer, problems, s, &progress);
  job.reset();  // the bar finishes, with the job's counts
  if (!cluster.root()) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  for (const std::string& group : groups_in_order(result.rows)) {
    std::printf("%s%s\n\n", group == "all" ? "" : "\n",
                group == "all" ? "all problems" : group.c_str());
    std::printf("%s", markdown_table(result.rows, group).c_str());
  }
  std::fflush(stdout);
  if (o.out.empty()) return;
  Json settings = {{"model", o.model},
                   {"dataset", o.dataset},
                   {"n_problems", problems.size()},
                   {"policies", o.policies},
                   {"budgets", o.budgets},
                   {"evict_every", o.evict_every},
                   {"sinks", o.sinks.empty() ? Json("policy default") : Json(o.sinks)},
                   {"recent", o.recent.empty() ? Json("policy default") : Json(o.recent)},
                   {"samples", s.samples},
                   {"max_new_tokens", s.max_new_tokens},
                   {"temperature", s.sampling.temperature},
                   {"top_k", s.sampling.top_k},
                   {"top_p", s.sampling.top_p},
                   {"seed", s.sampling.seed},
                   {"chat", s.chat},
                   {"think", s.think},
                   {"grader", o.grader},
                   {"kv_memory", s.batch.kv_memory},
                   {"max_batch", s.batch.max_sequences},
                   {"threads", omp_get_max_threads()},
                   {"ranks", cluster.size()},
                   {"seconds", seconds}};
  // Each run's protected tokens as it ran: a judge's window is its file's unless --recent said.
  Json windows = Json::object();
  for (const PolicyRun& run : s.runs)
    windows[run_label(run)] = {{"sinks", run.schedule.sinks_name()},
                               {"recent", run.schedule.recent_name()}};
  settings["windows"] = windows;
  if (!o.policy_options.judges.empty())
    settings["judge"] = {{"files", o.policy_options.judges}, {"mode", o.policy_options.judge_mode}};
  write_report(o.out, settings, result.rows);
  write_file_atomic(std::filesystem::path(o.out) / "samples.jsonl",
                    samples_jsonl(result, problems, s.runs));
  std::fprintf(stderr, "report written to %s (%.0f s, seed %llu)\n", o.out.c_str(), seconds,
               static_cast<unsigned long long>(s.sampling.seed));
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "accuracy of policies x budgets on a JSONL dataset");
  auto o = std::make_shared<Options>();
  AccuracySettings& s = o->settings;
  cmd->add_option("--model", o->model, "model directory or GGUF file")->required();
  add_weights_option(cmd, o->weights);
  cmd->add_option("--dataset", o->dataset, "JSONL of {\"id\", \"prompt\", \"answer\"[, \"group\"]}")
      ->required();
  cmd->add_option("--policies", o->policies, "comma-separated policies")->capture_default_str();
  cmd->add_option("--budgets", o->budgets, "comma-separated budgets (KV entries per head)");
  cmd->add_option("--evict-every", o->evict_every, "eviction length L")->capture_default_str();
  add_judge_options(cmd, o->policy_options);
  cmd->add_option("--sinks", o->sinks,
                  "first tokens never evicted: N, or 'prompt' for every "
                  "prompt token (default: the policy's)");
  add_recent_option(cmd, o->recent);
  cmd->add_option("--samples", s.samples, "generations per problem (average pass@1)")
      ->capture_default_str();
  cmd->add_option("--max-new-tokens", s.max_new_tokens)->capture_default_str();
  cmd->add_option("--temperature", s.sampling.temperature, "0 = greedy")->capture_default_str();
  cmd->add_option("--top-k", s.sampling.top_k, "0 = no limit")->capture_default_str();
  cmd->add_option("--top-p", s.sampling.top_p)->capture_default_str();
  cmd->add_option("--seed", s.sampling.seed)->capture_default_str();
  cmd->add_flag("--chat", s.chat, "wrap prompts in the ChatML chat template");
  cmd->add_flag("--think", s.think, "with --chat: open the assistant turn with <think>");
  cmd->add_option("--grader", o->grader, "boxed (last \\boxed{}) or answer-line")
      ->capture_default_str();
  cmd->add_option("--limit", o->limit, "evaluate only the first N problems");
  add_kv_memory_option(cmd, o->kv_memory);
  add_max_batch_option(cmd, o->max_batch);
  cmd->add_option("--out", o->out, "directory for the report");
  cmd->callback([o] { run(*o); });
}

}  // namespace foresight::cli
