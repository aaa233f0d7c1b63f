#include "train/judge_trainer.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "eval/fidelity.hpp"
#include "optim/adamw.hpp"
#include "optim/lr_schedule.hpp"
#include "train/golden.hpp"
#include "train/input_standardisation.hpp"
#include "train/rank_exchange.hpp"
#include "train/trace_gradients.hpp"

namespace foresight {

namespace {

Json scorecard_json(const JudgeScorecard& c) {
  return {{"loss", c.mean_loss()},
          {"overlap", c.mean_overlap()},
          {"pairwise_accuracy", c.pairwise_accuracy()},
          {"harmful_per_decision", c.harmful_per_decision()},
          {"evicted_attention_per_decision", c.evicted_attention_per_decision()},
          {"decisions", c.decisions}};
}

// The generator of trace q's own-path draws in a step (or of held-out trace q when step < 0):
// a function of (seed, step, q) alone, so a resumed run draws the same.
uint64_t replay_seed(uint64_t seed, int64_t step, int64_t q) {
  return Rng(seed ^ 0x6a09e667f3bcc909ull).next() + uint64_t(step + 1) * 0x9e3779b97f4a7c15ull +
         uint64_t(q);
}

}  // namespace

std::vector<EvictionSchedule> JudgeTrainSettings::schedules() const {
  std::vector<EvictionSchedule> out;
  for (const int b : budgets.empty() ? std::vector<int>{schedule.budget} : budgets) {
    EvictionSchedule s = schedule;
    s.budget = b;
    out.push_back(s);
  }
  return out;
}

Json JudgeTrainSettings::to_json() const {
  std::vector<int> trained;
  for (const EvictionSchedule& s : schedules()) trained.push_back(s.budget);
  return {{"budgets", trained},
          {"evict_every", schedule.evict_every},
          {"sinks", schedule.protect_prompt ? Json("prompt") : Json(schedule.sinks)},
          {"recent", schedule.recent_name()},
          {"steps", steps},
          {"traces_per_step", traces_per_step},
          {"warmup_steps", warmup_steps},
          {"lr", lr},
          {"min_lr", min_lr},
          {"clip", clip},
          {"margin", teacher.margin},
          {"loss", pair_weight_name(teacher.weight)},
          {"own_path", own_path},
          {"harm_threshold", teacher.harm_threshold},
          {"standardise_traces", standardise_traces},
          {"seed", seed}};
}

JudgeScorecard judge_replay(const Model& model, const Judge& judge, const Trace& trace,
                            std::shared_ptr<const FutureAttention> future,
                            const EvictionSchedule& schedule, const TeacherSettings& teacher,
                            uint64_t seed, std::span<float> grad) {
  if (!future)
    future = std::make_shared<const FutureAttention>(
        record_future_attention(model, trace.ids, schedule.evict_every));
  JudgeTeacher judged(judge, teacher, grad);
  Sequence seq(model.config(), {.schedule = schedule,
                                .policy = path_policy(judge, teacher),
                                .seed = seed,
                                .future = std::move(future),
                                .prompt_length = trace.prompt_len,
                                .observer = &judged});
  teacher_forced_losses(model, seq, trace.ids);
  return judged.scorecard();
}

JudgeScorecard evaluate_judge(const Model& model, const Judge& judge,
                              const std::vector<Trace>& traces, FutureCache& futures,
                              const EvictionSchedule& schedule, const TeacherSettings& teacher,
                              const Cluster* cluster) {
  std::vector<JudgeScorecard> cards(traces.size());
  const StepOwners owners(cluster, int64_t(traces.size()), [&](int64_t i) {
    return replay_cost(int64_t(traces[i].ids.size()), schedule);
  });
  parallel_jobs(int64_t(traces.size()), [&](int64_t i) {
    if (!owners.mine(i)) return;
    cards[i] = judge_replay(model, judge, traces[i], futures.at(size_t(i)), schedule, teacher,
                            replay_seed(0, -1, i));
  });
  if (cluster) gather_step(*cluster, owners, cards);
  JudgeScorecard total;
  for (const JudgeScorecard& c : cards) total.add(c);
  return total;
}

int64_t train_judge_sl(const Model& model, const std::vector<Trace>& train,
                       const std::vector<Trace>& heldout, Judge& judge, const JudgeTrainSettings& s,
                       const std::filesystem::path& work_dir, const JudgeTrainerOptions& options) {
  if (train.empty()) fail("train-judge: no training traces");
  if (s.traces_per_step < 1)
    fail_field("traces_per_step", " must be >= 1, got {}", s.traces_per_step);
  if (!(s.own_path >= 0 && s.own_path <= 1))
    fail_field("own_path", " must be a share in [0, 1], got {}", s.own_path);
  const std::vector<EvictionSchedule> schedules = s.schedules();
  for (const EvictionSchedule& b : schedules) b.validate();
  FutureCache train_futures(model, train, s.schedule.evict_every),
      heldout_futures(model, heldout, s.schedule.evict_every);
  if (s.standardise_traces > 0)
    measure_input_standardisation(model, train, train_futures, size_t(s.standardise_traces),
                                  schedules, judge);

  const auto size = judge.parameters().size();
  AdamW adam(int64_t(size), AdamWSettings{0.9, 0.999, 1e-8, 0.0});
  const LrSchedule schedule{s.lr, s.min_lr, s.warmup_steps, s.steps};
  const int P = s.traces_per_step;
  const int own_traces = int(std::lround(s.own_path * P));
  TraceGradients grads(P, size);
  std::vector<JudgeScorecard> cards(static_cast<size_t>(P));

  // Under mpirun each rank replays the step's traces it owns (dealt by cost); rank 0 sums
  // every trace's gradient in order, updates, and hands the parameters to the others.
  const Cluster* cluster =
      options.cluster && options.cluster->size() > 1 ? options.cluster : nullptr;
  // the budgets in turn, trace by trace
  const auto schedule_of = [&](int64_t step, int64_t q) -> const EvictionSchedule& {
    return schedules[size_t(step * P + q) % schedules.size()];
  };
  JudgeRun run(s, train.size());
  run.step = [&](int64_t step, const std::vector<int64_t>& picked) {
    // each trace at its budget: the costs differ more by budget than by length
    const StepOwners owners(cluster, P, [&](int64_t q) {
      return replay_cost(int64_t(train[picked[q]].ids.size()), schedule_of(step, q));
    });
    parallel_jobs(P, [&](int64_t q) {
      if (!owners.mine(q)) {
        cards[q] = {};
        return;
      }
      TeacherSettings teacher = s.teacher;
      teacher.own_path = q < own_traces;
      const EvictionSchedule& at = schedule_of(step, q);
      cards[q] = judge_replay(model, judge, train[picked[q]], train_futures.at(size_t(picked[q])),
                              at, teacher, replay_seed(s.seed, step, q), grads.cleared(q));
    });
    if (cluster) gather_step(*cluster, owners, cards, 1, &grads);
    JudgeScorecard card;
    for (const JudgeScorecard& c : cards) card.add(c);
    double norm = 0;
    const double lr = schedule.at(step);
    // traces shorter than B + L evict nothing and teach nothing
    if (card.decisions > 0 && (!cluster || cluster->root())) {
      const std::span<float> grad = grads.sum();
      for (float& g : grad) g /= float(card.decisions);
      norm = clip_gradient_norm(grad, s.clip);
      adam.update(judge.parameters(), grad, lr);
    }
    if (cluster) share_parameters(*cluster, judge);
    StepReport report{
        Json{{"lr", lr}, {"grad_norm", norm}},
        fmt::format("loss {:.5f} overlap {:.3f} pairwise {:.3f} harmful {:.2f}", card.mean_loss(),
                    card.mean_overlap(), card.pairwise_accuracy(), card.harmful_per_decision())};
    report.line.update(scorecard_json(card));
    return report;
  };
  if (!heldout.empty())
    run.evaluate = [&](int64_t) {
      Json line = {{"eval", "heldout"}}, budgets = Json::object();
      std::string text;
      for (const EvictionSchedule& at : schedules) {
        TeacherSettings teacher = s.teacher;
        const auto on = [&](const TeacherSettings& t) {
          return evaluate_judge(model, judge, heldout, heldout_futures, at, t, cluster);
        };
        const JudgeScorecard golden = on(teacher);
        teacher.own_path = true;
        const JudgeScorecard own = on(teacher);
        if (&at == &schedules.front()) line.update(scorecard_json(golden));
        budgets[std::to_string(at.budget)] = {{"golden_path", scorecard_json(golden)},
                                              {"own_path", scorecard_json(own)}};
        text += fmt::format(
            "{}B {}: top-k overlap {:.3f}, pairwise accuracy {:.3f}, harmful "
            "per decision {:.3f} (own path {:.3f})",
            text.empty() ? "" : "; ", at.budget, golden.mean_overlap(), golden.pairwise_accuracy(),
            golden.harmful_per_decision(), own.harmful_per_decision());
      }
      line["budgets"] = budgets;
      return StepReport{line, "held-out " + text};
    };
  return run_judge_training(run, judge, adam, work_dir, options);
}

}  // namespace foresight
