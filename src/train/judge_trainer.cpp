#include "train/judge_trainer.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "eval/fidelity.hpp"
#include "lm/adamw.hpp"
#include "lm/lr_schedule.hpp"
#include "train/golden.hpp"

namespace foresight {

namespace {

Json scorecard_json(const JudgeScorecard& c) {
  return {{"loss", c.mean_loss()},
          {"overlap", c.mean_overlap()},
          {"pairwise_accuracy", c.pairwise_accuracy()},
          {"decisions", c.decisions}};
}

}  // namespace

Json JudgeTrainSettings::to_json() const {
  return {{"budget", schedule.budget}, {"evict_every", schedule.evict_every},
          {"sinks", schedule.sinks},   {"steps", steps},
          {"traces_per_step", traces_per_step}, {"warmup_steps", warmup_steps},
          {"lr", lr}, {"min_lr", min_lr}, {"clip", clip}, {"margin", margin}, {"seed", seed}};
}

JudgeScorecard judge_on_golden_path(const Model& model, const Judge& judge,
                                    std::span<const int32_t> ids, const EvictionSchedule& schedule,
                                    float margin, std::span<float> grad) {
  auto future = std::make_shared<const FutureAttention>(
      record_future_attention(model, ids, schedule.evict_every));
  auto teacher = std::make_shared<GoldenTeacher>(judge, schedule.budget, margin, grad);
  Sequence seq(model.config(), schedule, teacher, 0, future);
  teacher_forced_losses(model, seq, ids);
  return teacher->scorecard();
}

JudgeScorecard evaluate_judge(const Model& model, const Judge& judge,
                              const std::vector<Trace>& traces, const EvictionSchedule& schedule,
                              float margin) {
  std::vector<JudgeScorecard> cards(traces.size());
  parallel_jobs(int64_t(traces.size()), [&](int64_t i) {
    cards[i] = judge_on_golden_path(model, judge, traces[i].ids, schedule, margin);
  });
  JudgeScorecard total;
  for (const JudgeScorecard& c : cards) total.add(c);
  return total;
}

int64_t train_judge_sl(const Model& model, const std::vector<Trace>& train,
                       const std::vector<Trace>& heldout, Judge& judge, const JudgeTrainSettings& s,
                       const std::filesystem::path& work_dir, const JudgeTrainerOptions& options) {
  if (train.empty()) fail("train-judge: no training traces");
  if (s.traces_per_step < 1) fail("--traces-per-step must be >= 1, got {}", s.traces_per_step);
  s.schedule.validate();
  const auto size = judge.parameters().size();
  AdamW adam(int64_t(size), AdamWSettings{0.9, 0.999, 1e-8, 0.0});
  const LrSchedule schedule{s.lr, s.min_lr, s.warmup_steps, s.steps};
  std::vector<std::vector<float>> grads(size_t(s.traces_per_step), std::vector<float>(size));
  std::vector<JudgeScorecard> cards(size_t(s.traces_per_step));
  std::vector<float> grad(size);

  JudgeRun run;
  run.steps = s.steps;
  run.eval_every = s.eval_every;
  run.checkpoint = s.checkpoint;
  run.settings = s.to_json();
  run.step = [&](int64_t step) {
    const std::vector<int64_t> picked = step_traces(step, s.traces_per_step,
                                                    int64_t(train.size()), s.seed);
    parallel_jobs(s.traces_per_step, [&](int64_t q) {
      std::fill(grads[q].begin(), grads[q].end(), 0.0f);
      cards[q] = judge_on_golden_path(model, judge, train[picked[q]].ids, s.schedule, s.margin,
                                      grads[q]);
    });
    JudgeScorecard card;
    std::fill(grad.begin(), grad.end(), 0.0f);
    for (int q = 0; q < s.traces_per_step; ++q) {
      card.add(cards[q]);
      for (size_t i = 0; i < size; ++i) grad[i] += grads[q][i];
    }
    double norm = 0;
    const double lr = schedule.at(step);
    if (card.decisions > 0) {  // traces shorter than B + L evict nothing and teach nothing
      for (float& g : grad) g /= float(card.decisions);
      norm = clip_gradient_norm(grad, s.clip);
      adam.update(judge.parameters(), grad, lr);
    }
    StepReport report{Json{{"lr", lr}, {"grad_norm", norm}},
                      fmt::format("loss {:.5f} overlap {:.3f} pairwise {:.3f}", card.mean_loss(),
                                  card.mean_overlap(), card.pairwise_accuracy())};
    report.line.update(scorecard_json(card));
    return report;
  };
  run.evaluate = [&](int64_t) -> std::optional<StepReport> {
    if (heldout.empty()) return std::nullopt;
    const JudgeScorecard c = evaluate_judge(model, judge, heldout, s.schedule, s.margin);
    StepReport report{Json{{"eval", "heldout"}},
                      fmt::format("held-out loss {:.5f}, top-k overlap {:.3f}, pairwise "
                                  "accuracy {:.3f}", c.mean_loss(), c.mean_overlap(),
                                  c.pairwise_accuracy())};
    report.line.update(scorecard_json(c));
    return report;
  };
  return run_judge_training(run, judge, adam, work_dir, options);
}

}  // namespace foresight
