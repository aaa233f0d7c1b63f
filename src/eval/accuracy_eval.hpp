// Accuracy of policies under budgets: every (policy, budget) x problem x sample is one
// generation from the problem's prompt, graded against its reference answer; the result is the
// average pass@1 per policy, budget and problem group.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "engine/generate.hpp"
#include "eval/policy_grid.hpp"
#include "eval/result_row.hpp"
#include "model/model.hpp"
#include "model/sampler.hpp"
#include "model/tokenizer.hpp"
#include "tasks/answer.hpp"
#include "tasks/dataset.hpp"

namespace foresight {

class Cluster;
class Progress;

struct AccuracySettings {
  std::vector<PolicyRun> runs;
  int samples = 1;  // generations per problem and run
  int max_new_tokens = 4096;
  SamplingSettings sampling;         // its seed is the run's base seed
  bool chat = false, think = false;  // wrap prompts in the ChatML template (opening <think>)
  GraderKind grader = GraderKind::AnswerLine;
  DecodeLimits batch;  // how many generations run at once (bytes of their caches, sequences)
  // The ranks that share the generations (generation j is rank j mod size's), or null for this
  // process alone; rank 0 gets every sample and the rows, the others no rows and only their own
  // samples filled in.
  const Cluster* cluster = nullptr;
};

// One graded generation.
struct SampleOutcome {
  int run = 0, problem = 0, sample = 0;  // indices into the settings' runs and the problems
  bool correct = false, stopped = false;
  int generated_tokens = 0;
  int64_t peak_kv_bytes = 0;
  std::string output;
};

struct AccuracyResult {
  std::vector<ResultRow> rows;         // per run: group "all", then every group in order
  std::vector<SampleOutcome> samples;  // in (run, problem, sample) order
};

// Sample s of problem p is drawn with a seed derived from (seed, p, s) alone, so every policy
// sees the same sampling stream and differences come from the cache. The generations run as one
// continuous batch under settings.batch (each gives the tokens it gives alone), on every rank
// of settings.cluster; `progress` (may be null) advances once per token this process generates.
AccuracyResult evaluate_accuracy(const Model& model, const Tokenizer& tokenizer,
                                 std::span<const TaskProblem> problems,
                                 const AccuracySettings& settings, Progress* progress);

}  // namespace foresight
