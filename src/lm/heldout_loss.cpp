#include "lm/training_eval.hpp"

namespace foresight {

namespace {

class HeldoutLoss : public TrainingEval {
 public:
  HeldoutLoss(TraceDataset examples, BatchLimits limits, int64_t every)
      : examples_(std::move(examples)), limits_(limits), every_(every) {}

  std::string name() const override { return "heldout"; }
  int64_t every() const override { return every_; }

  Metrics run(const EvalContext& ctx) override {
    double loss = 0;
    int64_t targets = 0;
    Batch batch;
    auto flush = [&] {
      if (batch.sequences() == 0) return;
      loss += ctx.runner.loss(ctx.params, batch);
      targets += batch.target_count;
      batch = Batch{};
    };
    for (const Example& e : examples_.examples) {
      if (batch.sequences() == limits_.sequences || batch.rows() + e.inputs() > limits_.tokens)
        flush();
      batch.add(e.ids, e.first_target);
    }
    flush();
    return {{"loss", loss / double(targets)}, {"tokens", double(targets)}};
  }

 private:
  TraceDataset examples_;
  BatchLimits limits_;
  int64_t every_;
};

}  // namespace

std::unique_ptr<TrainingEval> make_heldout_loss_eval(TraceDataset examples, BatchLimits limits,
                                                     int64_t every) {
  return std::make_unique<HeldoutLoss>(std::move(examples), limits, every);
}

}  // namespace foresight
