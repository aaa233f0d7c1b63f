#include "eval/accuracy_eval.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "dist/cluster.hpp"
#include "dist/gather.hpp"
#include "engine/generate.hpp"
#include "model/chat.hpp"

namespace foresight {

namespace {

uint64_t sample_seed(uint64_t seed, int problem, int sample) {
  // splitmix64 of the triple: nearby indices give unrelated streams.
  uint64_t z = seed ^ (uint64_t(problem) << 32) ^ uint64_t(sample) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Average pass@1 of one run over the problems of one group ("all": every problem).
ResultRow accuracy_row(const PolicyRun& run, const std::string& group,
                       std::span<const TaskProblem> problems,
                       std::span<const SampleOutcome> outcomes, int samples) {
  ResultRow row{run.policy, run.budget, group, 0, 0, samples};
  double total = 0;
  for (size_t p = 0; p < problems.size(); ++p) {
    if (group != "all" && problems[p].group != group) continue;
    int correct = 0;
    for (int s = 0; s < samples; ++s) correct += outcomes[p * samples + s].correct;
    total += double(correct) / samples;
    ++row.n_problems;
  }
  row.accuracy = row.n_problems > 0 ? total / row.n_problems : 0;
  return row;
}

}  // namespace

AccuracyResult evaluate_accuracy(const Model& model, const Tokenizer& tokenizer,
                                 std::span<const TaskProblem> problems,
                                 const AccuracySettings& settings, Progress* progress) {
  if (problems.empty()) fail("evaluate_accuracy: no problems");
  if (settings.runs.empty()) fail("evaluate_accuracy: no policies");
  if (settings.samples < 1) fail_field("samples", " must be >= 1, got {}", settings.samples);
  if (settings.max_new_tokens < 1)
    fail_field("max_new_tokens", " must be >= 1, got {}", settings.max_new_tokens);
  settings.sampling.validate();
  for (const PolicyRun& run : settings.runs) require_online(run.impl.get());

  std::vector<std::vector<int32_t>> prompts;
  for (const TaskProblem& p : problems) {
    prompts.push_back(
        tokenizer.encode(settings.chat ? format_chat_prompt(p.prompt, settings.think) : p.prompt));
    if (prompts.back().empty()) fail("problem '{}': the prompt encodes to no tokens", p.id);
  }
  const int n_problems = int(problems.size()), samples = settings.samples;
  const int64_t per_run = int64_t(n_problems) * samples;
  const int64_t n_jobs = int64_t(settings.runs.size()) * per_run;
  AccuracyResult result;
  std::vector<GenerateRequest> requests;
  std::vector<size_t> mine;  // the samples this process generates
  for (int64_t j = 0; j < n_jobs; ++j) {
    SampleOutcome& out = result.samples.emplace_back();
    out.run = int(j / per_run);
    out.problem = int(j % per_run / samples);
    out.sample = int(j % samples);
    if (settings.cluster && !settings.cluster->owns(j)) continue;
    mine.push_back(size_t(j));
    GenerateSettings g;
    g.max_new_tokens = settings.max_new_tokens;
    g.sampling = settings.sampling;
    g.sampling.seed = sample_seed(settings.sampling.seed, out.problem, out.sample);
    g.sampling.vocab_limit = tokenizer.vocab_size();
    g.stop_ids = model.config().eos_ids;
    g.schedule = settings.runs[out.run].schedule;
    g.policy = settings.runs[out.run].impl;
    if (settings.grader == GraderKind::AnswerLine)
      g.stop_after = [&](std::span<const int32_t> generated) {
        // Only a token holding a newline can complete a line.
        return tokenizer.decode(generated.last(1)).find('\n') != std::string::npos &&
               ends_with_answer_line(tokenizer.decode(generated, /*skip_special=*/true));
      };
    requests.push_back({prompts[out.problem], std::move(g)});
  }
  BatchCallbacks callbacks;
  if (progress) {
    callbacks.on_token = [&](size_t, int32_t) { progress->advance(); };
    callbacks.on_finished = [&](size_t, const GenerateResult& r) {
      progress->add_total(int64_t(r.tokens.size()) - settings.max_new_tokens);
    };
  }
  const std::vector<GenerateResult> generated =
      generate_batch(model, requests, settings.batch, callbacks);

  for (size_t i = 0; i < generated.size(); ++i) {
    SampleOutcome& out = result.samples[mine[i]];
    const GenerateResult& r = generated[i];
    out.stopped = r.stopped;
    out.generated_tokens = int(r.tokens.size());
    out.peak_kv_bytes = r.peak_kv_bytes;
    out.output = tokenizer.decode(r.tokens, /*skip_special=*/true);
    out.correct = grade(settings.grader, out.output, problems[out.problem].answer);
  }
  if (settings.cluster) {  // rank 0 receives the outcomes of the others' samples
    std::vector<SampleOutcome>& all = result.samples;
    gather_owned(
        *settings.cluster, n_jobs, 1,
        [&](ByteWriter& out, int64_t j) {
          out.put(all[j].correct), out.put(all[j].stopped), out.put(all[j].generated_tokens);
          out.put(all[j].peak_kv_bytes), out.put(std::string_view(all[j].output));
        },
        [&](ByteReader& in, int64_t j) {
          all[j].correct = in.get<bool>(), all[j].stopped = in.get<bool>();
          all[j].generated_tokens = in.get<int>(), all[j].peak_kv_bytes = in.get<int64_t>();
          all[j].output = in.get_string();
        });
    if (!settings.cluster->root()) return result;
  }

  std::vector<std::string> groups{"all"};
  for (const TaskProblem& p : problems)
    if (std::find(groups.begin(), groups.end(), p.group) == groups.end()) groups.push_back(p.group);
  for (size_t r = 0; r < settings.runs.size(); ++r) {
    const std::span<const SampleOutcome> outcomes(result.samples.data() + r * per_run, per_run);
    for (const std::string& group : groups)
      result.rows.push_back(accuracy_row(settings.runs[r], group, problems, outcomes, samples));
  }
  return result;
}

}  // namespace foresight
