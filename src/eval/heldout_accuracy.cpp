#include "eval/heldout_accuracy.hpp"

#include "eval/accuracy_eval.hpp"

namespace foresight {

Metrics greedy_accuracy(const Model& model, const Tokenizer& tokenizer,
                        std::span<const TaskProblem> problems, const PolicyRun& run,
                        int max_new_tokens, const Cluster* cluster) {
  AccuracySettings settings;
  settings.runs = {run};
  settings.max_new_tokens = max_new_tokens;
  settings.cluster = cluster;
  const AccuracyResult result = evaluate_accuracy(model, tokenizer, problems, settings, nullptr);
  Metrics metrics;
  for (const ResultRow& row : result.rows)
    metrics.emplace_back(row.group == "all" ? "accuracy" : "accuracy_" + row.group, row.accuracy);
  return metrics;
}

namespace {

class HeldoutAccuracy final : public TrainingEval {
 public:
  HeldoutAccuracy(std::vector<TaskProblem> problems, int64_t every, int max_new_tokens)
      : problems_(std::move(problems)), every_(every), max_new_tokens_(max_new_tokens) {}

  std::string name() const override { return "accuracy"; }
  int64_t every() const override { return every_; }

  Metrics run(const EvalContext& context) override {
    const std::filesystem::path dir = context.model_dir();
    const auto model = Model::load(dir);
    const Tokenizer tokenizer = Tokenizer::load(dir / "tokenizer.json");
    const PolicyRun full{"full", std::nullopt, {}, nullptr};
    return greedy_accuracy(*model, tokenizer, problems_, full, max_new_tokens_);
  }

 private:
  std::vector<TaskProblem> problems_;
  int64_t every_;
  int max_new_tokens_;
};

}  // namespace

std::unique_ptr<TrainingEval> make_heldout_accuracy_eval(std::vector<TaskProblem> problems,
                                                         int64_t every, int max_new_tokens) {
  return std::make_unique<HeldoutAccuracy>(std::move(problems), every, max_new_tokens);
}

}  // namespace foresight
