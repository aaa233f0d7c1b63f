// Supervised judge training: the pairwise hinge against brute force, the judged golden replay
// (it evicts like golden; its gradient against finite differences), training that learns and
// resumes bit for bit, and the train-judge command.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "eval/fidelity.hpp"
#include "golden_replay.hpp"
#include "judge/features.hpp"
#include "judge/judge_file.hpp"
#include "policy/foresight.hpp"
#include "test_util.hpp"
#include "train/golden.hpp"
#include "train/input_standardisation.hpp"
#include "train/judge_trainer.hpp"
#include "train/pairwise_hinge.hpp"

namespace foresight {
namespace {

// Every ordered pair visited, weighted by 1 or by its target gap.
PairwiseHinge brute_force_hinge(const std::vector<float>& t, const std::vector<float>& phi,
                                float margin, PairWeight weight, std::vector<double>& grad) {
  PairwiseHinge r;
  double total = 0;
  grad.assign(phi.size(), 0.0);
  for (size_t i = 0; i < phi.size(); ++i)
    for (size_t j = 0; j < phi.size(); ++j) {
      if (!(t[i] > t[j])) continue;
      const double w = weight == PairWeight::Uniform ? 1.0 : double(t[i]) - double(t[j]);
      ++r.pairs;
      total += w;
      r.correct += phi[i] > phi[j];
      if (phi[j] < phi[i] - margin) continue;  // satisfied: phi_i - phi_j > margin
      ++r.violated;
      r.loss += w * (double(margin) - phi[i] + phi[j]);
      grad[i] -= w, grad[j] += w;
    }
  if (r.pairs > 0) {
    r.loss /= total;
    for (double& g : grad) g /= total;
  }
  return r;
}

TEST(PairwiseHinge, MatchesBruteForceWithTiesInTargetsAndScores) {
  Rng rng(3);
  for (int trial = 0; trial < 40; ++trial) {
    const int n = 1 + trial * 7 % 90;
    const auto un = static_cast<size_t>(n);
    std::vector<float> t(un), phi(un), dphi(un);
    for (int i = 0; i < n; ++i) {
      // Few distinct targets (ties, like the zero future attention of the last eviction) and
      // scores on a coarse grid (ties, and gaps of exactly the margin).
      t[i] = float(rng.next() % uint64_t(trial % 5 + 2)) * (trial % 3 ? 1.0f : 1e-3f);
      phi[i] = trial % 2 ? float(rng.next() % 16) / 64.0f : float(rng.normal() * 0.02);
    }
    for (const PairWeight weight : {PairWeight::Uniform, PairWeight::TargetGap})
      for (const float margin : {0.01f, 0.0f, 1.0f / 64}) {
        std::vector<double> want_grad;
        const PairwiseHinge want = brute_force_hinge(t, phi, margin, weight, want_grad);
        const PairwiseHinge got = pairwise_hinge(t, phi, margin, weight, dphi);
        const std::string where =
            fmt::format("trial {} {} margin {}", trial, pair_weight_name(weight), margin);
        ASSERT_EQ(got.pairs, want.pairs) << where;
        ASSERT_EQ(got.violated, want.violated) << where;
        ASSERT_EQ(got.correct, want.correct) << where;
        ASSERT_NEAR(got.loss, want.loss, 1e-6) << where;
        for (int i = 0; i < n; ++i) ASSERT_NEAR(dphi[i], want_grad[i], 1e-6) << where << " " << i;
      }
  }
}

TEST(PairwiseHinge, AllTiedTargetsHaveNoPairsAndSizesMustAgree) {
  for (const PairWeight weight : {PairWeight::Uniform, PairWeight::TargetGap}) {
    std::vector<float> dphi(3, 5.0f);
    const PairwiseHinge r = pairwise_hinge(std::vector<float>{0, 0, 0}, std::vector<float>{1, 2, 3},
                                           0.01f, weight, dphi);
    EXPECT_EQ(r.pairs, 0);
    EXPECT_EQ(r.loss, 0);
    EXPECT_EQ(dphi, std::vector<float>(3, 0.0f));
    EXPECT_THROW(pairwise_hinge(std::vector<float>{0, 1}, std::vector<float>{1}, 0.01f, weight),
                 Error);
  }
  EXPECT_EQ(parse_pair_weight("weighted"), PairWeight::TargetGap);
  EXPECT_EQ(parse_pair_weight("uniform"), PairWeight::Uniform);
  EXPECT_THROW(parse_pair_weight("squared"), Error);
}

TEST(PairwiseHinge, TheGapWeightIgnoresPairsOfUnattendedCandidates) {
  // Two candidates the future barely attends (targets -1e-6, -2e-6) in the wrong order, and
  // the one that matters (target -0.5, i.e. attended) ranked right: the uniform hinge counts
  // the wrong pair as one of three; weighted by the gap it is almost nothing.
  const std::vector<float> t = {-1e-6f, -2e-6f, -0.5f}, phi = {0.0f, 0.1f, -1.0f};
  const double uniform = pairwise_hinge(t, phi, 0.01f, PairWeight::Uniform).loss;
  const double gap = pairwise_hinge(t, phi, 0.01f, PairWeight::TargetGap).loss;
  EXPECT_NEAR(uniform, 0.11 / 3, 1e-6);
  EXPECT_LT(gap, 1e-6);
}

class JudgeTraining : public test::TinyModelTest {
 protected:
  const ModelConfig& config() const { return model->config(); }
  std::vector<Trace> traces(int n, int length, int salt) const {
    std::vector<Trace> out;
    for (int i = 0; i < n; ++i)
      out.push_back({std::to_string(i),
                     "all",
                     test::pattern_tokens(length + 7 * i, config().vocab, salt + i),
                     4,
                     {},
                     {}});
    return out;
  }
  const EvictionSchedule schedule{24, 8, 0};
};

TEST_F(JudgeTraining, JudgedReplayEvictsLikeGoldenAndScoresEveryDecision) {
  const auto ids = test::pattern_tokens(100, config().vocab, 2);
  const Judge judge = Judge::random(JudgeShape::of(config()), 5);
  auto future = std::make_shared<const FutureAttention>(record_future_attention(*model, ids, 8));
  JudgeTeacher teacher(judge, TeacherSettings{});
  Sequence judged(config(), {.schedule = schedule,
                             .policy = path_policy(judge, TeacherSettings{}),
                             .future = future,
                             .observer = &teacher}),
      golden(config(), {.schedule = schedule, .policy = make_policy("golden"), .future = future});
  EXPECT_EQ(teacher_forced_losses(*model, judged, ids).ce,
            teacher_forced_losses(*model, golden, ids).ce);

  // Every (layer, step, head) whose targets are not all tied is judged.
  const test::GoldenLabels labels = test::golden_evictions(*future, schedule);
  int64_t ordered = 0;
  for (const test::GoldenEviction& e : labels.evictions)
    ordered +=
        std::any_of(e.targets.begin(), e.targets.end(), [&](float t) { return t != e.targets[0]; });
  const JudgeScorecard& card = teacher.scorecard();
  EXPECT_GT(ordered, 0);
  EXPECT_EQ(card.decisions, ordered);
  EXPECT_GT(card.loss, 0);
  EXPECT_GT(card.pairs, 0);
  EXPECT_LE(card.correct_pairs, card.pairs);
  EXPECT_GE(card.mean_overlap(), 0);
  EXPECT_LE(card.mean_overlap(), 1);
}

TEST_F(JudgeTraining, GradientMatchesCentralFiniteDifferences) {
  const auto ids = test::pattern_tokens(72, config().vocab, 3);
  const std::vector<Trace> one = {{"t", "all", ids, 10, {}, {}}};
  const Trace& trace = one[0];
  const auto future =
      std::make_shared<const FutureAttention>(record_future_attention(*model, ids, 8));
  FutureCache futures(*model, one, 8);
  for (const JudgeFeatureSet set : {JudgeFeatureSet::spec(), JudgeFeatureSet::standard()})
    for (const PairWeight weight : {PairWeight::Uniform, PairWeight::TargetGap}) {
      const std::string where = set.name() + " " + pair_weight_name(weight);
      Judge judge = Judge::random(JudgeShape::of(config(), set), 9);
      measure_input_standardisation(*model, one, futures, 1, {schedule}, judge);
      TeacherSettings teacher;
      teacher.weight = weight;
      const auto loss_of = [&](std::span<float> g) {
        return judge_replay(*model, judge, trace, future, schedule, teacher, 0, g).loss;
      };
      std::vector<float> grad(judge.parameters().size(), 0.0f);
      const double loss = loss_of(grad);
      ASSERT_GT(loss, 0) << where;
      Rng pick(1);
      int checked = 0;
      for (int trial = 0; trial < 40 && checked < 12; ++trial) {
        const size_t i = size_t(pick.next() % judge.parameters().size());
        if (grad[i] == 0) continue;  // a hidden unit's weight on a zero feature
        const float saved = judge.parameters()[i], eps = 1e-3f;
        judge.parameters()[i] = saved + eps;
        const double up = loss_of({});
        judge.parameters()[i] = saved - eps;
        const double down = loss_of({});
        judge.parameters()[i] = saved;
        EXPECT_NEAR((up - down) / (2 * eps), grad[i], 2e-3 + 0.02 * std::abs(grad[i]))
            << where << " parameter " << i;
        ++checked;
      }
      EXPECT_GE(checked, 6) << where;
    }
}

// Sums the judge's standardised inputs (as the MLP reads them) at the evictions it observes.
class StandardisedInputs final : public EvictionObserver {
 public:
  explicit StandardisedInputs(const Judge& judge) : judge_(judge) {}
  StatMask stats_needed() const override { return kJudgeStatMask; }
  void evicting(const EvictionView& v, int, std::span<const int32_t>) override {
    const int F = judge_.shape().features();
    sum.resize(size_t(F)), sum_sq.resize(size_t(F));
    std::vector<float> x;
    for (int h = 0; h < v.n_kv_heads; ++h) {
      if (v.layer != 1 || h != 0) continue;  // one (layer, head) is enough
      judge_inputs(judge_, v, h, x);
      for (int c = 0; c < v.n; ++c)
        for (int f = 0; f < F; ++f)
          sum[f] += x[size_t(c) * F + f],
              sum_sq[f] += x[size_t(c) * F + f] * double(x[size_t(c) * F + f]);
      rows += v.n;
    }
  }
  std::vector<double> sum, sum_sq;
  int64_t rows = 0;

 private:
  const Judge& judge_;
};

TEST_F(JudgeTraining, StandardisedInputsHaveMeanZeroAndUnitDeviationOnTheTrainingData) {
  const std::vector<Trace> train = traces(3, 90, 40);
  FutureCache futures(*model, train, schedule.evict_every);
  Judge judge = Judge::random(JudgeShape::of(config(), JudgeFeatureSet::standard()), 2);
  const EvictionSchedule other{32, 8, 0};
  measure_input_standardisation(*model, train, futures, 3, {schedule, other}, judge);
  StandardisedInputs inputs(judge);  // along the golden path
  for (size_t i = 0; i < train.size(); ++i) {
    Sequence seq(config(), {.schedule = i % 2 ? other : schedule,
                            .policy = make_policy("golden"),
                            .future = futures.at(i),
                            .prompt_length = train[i].prompt_len,
                            .observer = &inputs});
    teacher_forced_losses(*model, seq, train[i].ids);
  }
  ASSERT_GT(inputs.rows, 0);
  int varying = 0;
  for (size_t f = 0; f < inputs.sum.size(); ++f) {
    const double mean = inputs.sum[f] / double(inputs.rows);
    const double var = inputs.sum_sq[f] / double(inputs.rows) - mean * mean;
    EXPECT_NEAR(mean, 0, 1e-3) << "input " << f;
    if (var > 1e-6) {
      EXPECT_NEAR(var, 1, 1e-3) << "input " << f;
      ++varying;
    }
  }
  EXPECT_GT(varying, int(inputs.sum.size()) / 2);
  // The paper's judge is left unstandardised.
  Judge paper = Judge::random(JudgeShape::of(config()), 2);
  measure_input_standardisation(*model, train, futures, 3, {schedule}, paper);
  const auto sd = paper.tensor(0, Judge::Tensor::InputStd);
  EXPECT_TRUE(std::all_of(sd.begin(), sd.end(), [](float v) { return v == 1.0f; }));
}

TEST_F(JudgeTraining, OwnPathReplayDrawsAsTheForesightPolicyAndCountsItsHarm) {
  const auto ids = test::pattern_tokens(120, config().vocab, 6);
  const std::vector<Trace> one = {{"t", "all", ids, 12, {}, {}}};
  const Trace& trace = one[0];
  auto future = std::make_shared<const FutureAttention>(record_future_attention(*model, ids, 8));
  Judge judge = Judge::random(JudgeShape::of(config(), JudgeFeatureSet::standard()), 5);
  FutureCache futures(*model, one, 8);
  measure_input_standardisation(*model, one, futures, 1, {schedule}, judge);
  TeacherSettings teacher;
  teacher.own_path = true;
  JudgeTeacher own(judge, teacher);
  Sequence judged(config(), {.schedule = schedule,
                             .policy = path_policy(judge, teacher),
                             .seed = 11,
                             .future = future,
                             .prompt_length = trace.prompt_len,
                             .observer = &own});
  Sequence drawn(config(), {.schedule = schedule,
                            .policy = make_foresight_policy(judge, true),
                            .seed = 11,
                            .future = future,
                            .prompt_length = trace.prompt_len});
  const std::vector<float> ce = teacher_forced_losses(*model, judged, ids).ce;
  EXPECT_EQ(ce, teacher_forced_losses(*model, drawn, ids).ce);
  EXPECT_EQ(judged.stats().harmful_evictions, drawn.stats().harmful_evictions);
  EXPECT_EQ(judged.stats().evicted_future_attention, drawn.stats().evicted_future_attention);
  // The path differs from the oracle's: another cache, so other losses and more harm.
  Sequence golden(config(),
                  {.schedule = schedule, .policy = make_policy("golden"), .future = future});
  EXPECT_NE(ce, teacher_forced_losses(*model, golden, ids).ce);
  EXPECT_GT(judged.stats().evicted_future_attention, golden.stats().evicted_future_attention);
  EXPECT_GT(own.scorecard().decisions, 0);
  EXPECT_GT(own.scorecard().evicted_attention, 0);
}

TEST_F(JudgeTraining, TrainingLearnsTheOracleAndResumesBitForBit) {
  const std::vector<Trace> train = traces(4, 90, 10), heldout = traces(2, 90, 20);
  JudgeTrainSettings s;
  s.schedule = schedule;
  s.steps = 12;
  s.traces_per_step = 2;
  s.warmup_steps = 2;
  s.lr = 3e-2;
  s.eval_every = 100;
  s.budgets = {24, 32};  // trained at both, half of each step on the judge's own path
  s.own_path = 0.5;
  const JudgeShape shape = JudgeShape::of(config(), JudgeFeatureSet::standard());
  Judge whole = Judge::random(shape, 1);
  FutureCache futures(*model, train, schedule.evict_every);
  measure_input_standardisation(*model, train, futures, size_t(s.standardise_traces), s.schedules(),
                                whole);  // as training does before its first step
  const JudgeScorecard before = evaluate_judge(*model, whole, train, futures, schedule, s.teacher);
  JudgeTrainerOptions quiet;
  quiet.log = nullptr;
  EXPECT_EQ(train_judge_sl(*model, train, heldout, whole, s, dir / "whole", quiet), 12);
  const JudgeScorecard after = evaluate_judge(*model, whole, train, futures, schedule, s.teacher);
  // On this run: loss 0.0100 -> 0.0084, pairwise accuracy 0.51 -> 0.62, overlap 0.35 -> 0.47.
  EXPECT_LT(after.mean_loss(), 0.9 * before.mean_loss());
  EXPECT_GT(after.pairwise_accuracy(), before.pairwise_accuracy() + 0.05);
  EXPECT_GT(after.mean_overlap(), before.mean_overlap() + 0.05);

  Judge split = Judge::random(shape, 1);
  JudgeTrainerOptions first = quiet;
  first.until = 5;
  EXPECT_EQ(train_judge_sl(*model, train, heldout, split, s, dir / "split", first), 5);
  Judge resumed = Judge::random(shape, 77);  // overwritten by the checkpoint
  JudgeTrainerOptions rest = quiet;
  rest.resume = true;
  EXPECT_EQ(train_judge_sl(*model, train, heldout, resumed, s, dir / "split", rest), 12);
  EXPECT_TRUE(std::equal(resumed.parameters().begin(), resumed.parameters().end(),
                         whole.parameters().begin()));
  std::ifstream a(dir / "whole" / "train_log.jsonl"), b(dir / "split" / "train_log.jsonl");
  std::string la, lb;
  int lines = 0;
  while (std::getline(a, la) && std::getline(b, lb)) {
    const Json ja = Json::parse(la), jb = Json::parse(lb);
    EXPECT_EQ(ja["step"], jb["step"]);
    EXPECT_EQ(ja["loss"], jb["loss"]);
    ++lines;
  }
  EXPECT_EQ(lines, 12 + 2);  // a line per step, held-out evaluations at steps 0 and 12

  // A checkpoint is never overwritten by a fresh run, and resuming needs one.
  EXPECT_THROW(train_judge_sl(*model, train, heldout, split, s, dir / "split", quiet), Error);
  EXPECT_THROW(train_judge_sl(*model, train, heldout, split, s, dir / "none", rest), Error);
}

TEST_F(JudgeTraining, CommandWritesAnSlJudgeThatThePolicyRuns) {
  const std::string m = dir.path().string();
  {
    std::ofstream out(dir / "t.jsonl");
    for (const Trace& t : traces(3, 80, 30))
      out << Json{{"ids", t.ids}, {"prompt_len", 4}}.dump() << "\n";
  }
  const std::string train = test::cli() + " train-judge --model " + m + " --traces " +
                            (dir / "t.jsonl").string() + " --heldout " +
                            (dir / "t.jsonl").string() +
                            " --budget 24 --evict-every 8 --steps 3 "
                            "--traces-per-step 2 --out " +
                            (dir / "j.safetensors").string();
  const auto r = test::run_command(train + " --stage sl");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("pairwise accuracy"), std::string::npos) << r.output;
  const Judge judge = read_judge(dir / "j.safetensors");
  EXPECT_EQ(judge.info.stage, "sl");
  EXPECT_EQ(judge.info.budget, 24);
  EXPECT_NE(judge.info.command.find("--steps 3"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "j.safetensors.train" / "checkpoint.safetensors"));

  const auto score =
      test::run_command(test::cli() + " score --model " + m + " --traces " +
                        (dir / "t.jsonl").string() + " --policy foresight --judge " +
                        (dir / "j.safetensors").string() + " --budget 24 --evict-every 8");
  EXPECT_EQ(score.exit_code, 0) << score.output;

  const auto again = test::run_command(train + " --stage sl");
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("--resume"), std::string::npos) << again.output;
  const auto stage = test::run_command(train + " --stage ga");
  EXPECT_NE(stage.exit_code, 0);
  EXPECT_NE(stage.output.find("--stage"), std::string::npos) << stage.output;
  const auto missing = test::run_command(test::cli() + " train-judge --stage sl --model " + m +
                                         " --traces " + (dir / "nope.jsonl").string() +
                                         " --budget 24 --out " + (dir / "k.safetensors").string());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("nope.jsonl"), std::string::npos) << missing.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "k.safetensors"));
}

}  // namespace
}  // namespace foresight
