// `foresight traces`: the model's own full-cache continuations of a dataset's prompts, sampled
// with a seed, with the teacher-forced full-cache cross-entropy and entropy of every token:
// the traces that `score`, Golden Eviction and judge training replay.
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/kv_memory_option.hpp"
#include "cli/weights_option.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/progress.hpp"
#include "dist/cluster.hpp"
#include "dist/gather.hpp"
#include "dist/job_progress.hpp"
#include "engine/generate.hpp"
#include "eval/fidelity.hpp"
#include "model/chat.hpp"
#include "model/tokenizer.hpp"
#include "tasks/dataset.hpp"

namespace foresight::cli {

namespace {

struct Options {
  std::string model, dataset, out, kv_memory, weights;
  int samples = 1, limit = 0, evict_every = 128, max_batch = 0;
  bool chat = false, think = false;
  GenerateSettings gen;
};

void run(const Options& o) {
  if (o.samples < 1) fail("--samples must be >= 1, got {}", o.samples);
  if (o.evict_every < 1) fail("--evict-every must be >= 1, got {}", o.evict_every);
  if (o.gen.max_new_tokens < 1) fail("--max-new-tokens must be >= 1, got {}", o.gen.max_new_tokens);
  o.gen.sampling.validate();
  const int64_t kv_memory = parse_kv_memory(o.kv_memory);
  std::vector<TaskProblem> problems = read_dataset(o.dataset);
  if (o.limit > 0 && size_t(o.limit) < problems.size()) problems.resize(size_t(o.limit));
  const auto model = Model::load(o.model, load_options(o.weights));
  const Tokenizer tokenizer = Tokenizer::for_model(o.model);

  // Under mpirun each rank samples and scores the traces it owns (trace j with seed + j, so
  // the same as alone), and rank 0 gathers them in order and writes the file.
  const Cluster& cluster = Cluster::world();
  std::FILE* progress_out = cluster.root() ? stderr : nullptr;
  const int64_t n = int64_t(problems.size()) * o.samples;
  std::vector<Trace> traces(static_cast<size_t>(n));
  std::vector<int64_t> mine;  // the traces this rank makes
  std::vector<GenerateRequest> requests;
  for (int64_t j = 0; j < n; ++j) {
    const TaskProblem& problem = problems[j / o.samples];
    const int sample = int(j % o.samples);
    Trace& t = traces[j];
    t.ids = tokenizer.encode(o.chat ? format_chat_prompt(problem.prompt, o.think) : problem.prompt);
    if (t.ids.empty()) fail("problem '{}': the prompt encodes to no tokens", problem.id);
    t.prompt_len = int(t.ids.size());
    t.id = o.samples == 1 ? problem.id : problem.id + "#" + std::to_string(sample);
    t.group = problem.group;
    if (!cluster.owns(j)) continue;
    GenerateSettings g = o.gen;
    g.sampling.seed = o.gen.sampling.seed + uint64_t(j);
    g.sampling.vocab_limit = tokenizer.vocab_size();
    g.stop_ids = model->config().eos_ids;
    mine.push_back(j);
    requests.push_back({t.ids, std::move(g)});
  }
  const auto n_mine = int64_t(mine.size());
  std::vector<GenerateResult> generated;
  {  // in generated tokens, against the most that can still be generated
    Progress progress("traces", n_mine * o.gen.max_new_tokens, "tok", progress_out);
    const JobProgress job(cluster, progress);
    BatchCallbacks callbacks;
    callbacks.on_token = [&](size_t, int32_t) { progress.advance(); };
    callbacks.on_finished = [&](size_t, const GenerateResult& r) {
      progress.add_total(int64_t(r.tokens.size()) - o.gen.max_new_tokens);
    };
    generated = generate_batch(*model, requests, {kv_memory, o.max_batch}, callbacks);
  }
  int64_t scored_tokens = 0;
  for (int64_t i = 0; i < n_mine; ++i) {
    Trace& t = traces[mine[i]];
    t.ids.insert(t.ids.end(), generated[i].tokens.begin(), generated[i].tokens.end());
    scored_tokens += int64_t(t.ids.size());
  }
  {
    Progress progress("reference losses", scored_tokens, "tok", progress_out);
    const JobProgress job(cluster, progress);
    parallel_jobs(n_mine, [&](int64_t i) {
      Trace& t = traces[mine[i]];
      Sequence full(model->config(), {.schedule = EvictionSchedule{0, o.evict_every, 0}});
      TokenLosses losses = teacher_forced_losses(*model, full, t.ids);
      t.ce = std::move(losses.ce), t.entropy = std::move(losses.entropy);
      progress.advance(int64_t(t.ids.size()));
    });
  }
  gather_owned(
      cluster, n, 1,
      [&](ByteWriter& out, int64_t j) {
        out.put(traces[j].ids), out.put(traces[j].ce), out.put(traces[j].entropy);
      },
      [&](ByteReader& in, int64_t j) {
        traces[j].ids = in.get_vector<int32_t>();
        traces[j].ce = in.get_vector<float>(), traces[j].entropy = in.get_vector<float>();
      });
  if (!cluster.root()) return;
  const GenerateSettings& g = o.gen;
  const Json settings = {{"model", o.model},
                         {"dataset", o.dataset},
                         {"samples", o.samples},
                         {"max_new_tokens", g.max_new_tokens},
                         {"temperature", g.sampling.temperature},
                         {"top_k", g.sampling.top_k},
                         {"top_p", g.sampling.top_p},
                         {"seed", g.sampling.seed},
                         {"chat", o.chat},
                         {"think", o.think},
                         {"evict_every", o.evict_every},
                         {"kv_memory", kv_memory},
                         {"max_batch", o.max_batch}};
  write_traces(o.out, traces, settings);
  int64_t tokens = 0;
  for (const Trace& t : traces) tokens += int64_t(t.ids.size()) - t.prompt_len;
  std::fprintf(stderr, "wrote %lld traces (%lld generated tokens) to %s, seed %llu\n",
               (long long)traces.size(), (long long)tokens, o.out.c_str(),
               (unsigned long long)g.sampling.seed);
}

}  // namespace

void add_traces_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("traces",
                                 "generate full-cache traces of a dataset's prompts, "
                                 "with per-token reference losses");
  auto o = std::make_shared<Options>();
  o->gen.max_new_tokens = 4096;
  cmd->add_option("--model", o->model, "model directory or GGUF file")->required();
  add_weights_option(cmd, o->weights);
  cmd->add_option("--dataset", o->dataset, "JSONL of {\"id\", \"prompt\", ...}")->required();
  cmd->add_option("--out", o->out, "traces file (.safetensors)")->required();
  cmd->add_option("--samples", o->samples, "traces per problem")->capture_default_str();
  cmd->add_option("--limit", o->limit, "use only the first N problems");
  cmd->add_option("--max-new-tokens", o->gen.max_new_tokens)->capture_default_str();
  cmd->add_option("--temperature", o->gen.sampling.temperature, "0 = greedy")
      ->capture_default_str();
  cmd->add_option("--top-k", o->gen.sampling.top_k, "0 = no limit")->capture_default_str();
  cmd->add_option("--top-p", o->gen.sampling.top_p)->capture_default_str();
  cmd->add_option("--seed", o->gen.sampling.seed, "trace j is sampled with seed + j")
      ->capture_default_str();
  cmd->add_option("--evict-every", o->evict_every,
                  "chunk length of the reference pass (match "
                  "the L you will score with)")
      ->capture_default_str();
  cmd->add_flag("--chat", o->chat, "wrap prompts in the ChatML chat template");
  cmd->add_flag("--think", o->think, "with --chat: open the assistant turn with <think>");
  add_kv_memory_option(cmd, o->kv_memory);
  add_max_batch_option(cmd, o->max_batch);
  cmd->callback([o] {
    if (std::filesystem::path(o->out).extension() != ".safetensors")
      fail("--out: traces are written as .safetensors, got '{}'", o->out);
    run(*o);
  });
}

}  // namespace foresight::cli
