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
#include "judge/judge_file.hpp"
#include "test_util.hpp"
#include "train/golden.hpp"
#include "train/judge_trainer.hpp"
#include "train/pairwise_hinge.hpp"

namespace foresight {
namespace {

PairwiseHinge brute_force_hinge(const std::vector<float>& t, const std::vector<float>& phi,
                                float margin, std::vector<double>& grad) {
  PairwiseHinge r;
  grad.assign(phi.size(), 0.0);
  for (size_t i = 0; i < phi.size(); ++i)
    for (size_t j = 0; j < phi.size(); ++j) {
      if (!(t[i] > t[j])) continue;
      ++r.pairs;
      r.correct += phi[i] > phi[j];
      if (phi[j] < phi[i] - margin) continue;  // satisfied: phi_i - phi_j > margin
      ++r.violated;
      r.loss += double(margin) - phi[i] + phi[j];
      grad[i] -= 1, grad[j] += 1;
    }
  if (r.pairs > 0) {
    r.loss /= double(r.pairs);
    for (double& g : grad) g /= double(r.pairs);
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
      t[i] = float(rng.next() % uint64_t(trial % 5 + 2));
      phi[i] = trial % 2 ? float(rng.next() % 16) / 64.0f : float(rng.normal() * 0.02);
    }
    for (const float margin : {0.01f, 0.0f, 1.0f / 64}) {
      std::vector<double> want_grad;
      const PairwiseHinge want = brute_force_hinge(t, phi, margin, want_grad);
      const PairwiseHinge got = pairwise_hinge(t, phi, margin, dphi);
      ASSERT_EQ(got.pairs, want.pairs) << trial;
      ASSERT_EQ(got.violated, want.violated) << trial << " margin " << margin;
      ASSERT_EQ(got.correct, want.correct) << trial;
      ASSERT_NEAR(got.loss, want.loss, 1e-6) << trial;
      for (int i = 0; i < n; ++i) ASSERT_NEAR(dphi[i], want_grad[i], 1e-7) << trial << " " << i;
    }
  }
}

TEST(PairwiseHinge, AllTiedTargetsHaveNoPairsAndSizesMustAgree) {
  std::vector<float> dphi(3, 5.0f);
  const PairwiseHinge r = pairwise_hinge(std::vector<float>{0, 0, 0}, std::vector<float>{1, 2, 3}, 0.01f, dphi);
  EXPECT_EQ(r.pairs, 0);
  EXPECT_EQ(r.loss, 0);
  EXPECT_EQ(dphi, std::vector<float>(3, 0.0f));
  EXPECT_THROW(pairwise_hinge(std::vector<float>{0, 1}, std::vector<float>{1}, 0.01f), Error);
}

class JudgeTraining : public test::TinyModelTest {
 protected:
  const ModelConfig& config() const { return model->config(); }
  std::vector<Trace> traces(int n, int length, int salt) const {
    std::vector<Trace> out;
    for (int i = 0; i < n; ++i)
      out.push_back({std::to_string(i), "all", test::pattern_tokens(length + 7 * i, config().vocab, salt + i), 4, {}, {}});
    return out;
  }
  const EvictionSchedule schedule{24, 8, 0};
};

TEST_F(JudgeTraining, JudgedReplayEvictsLikeGoldenAndScoresEveryDecision) {
  const auto ids = test::pattern_tokens(100, config().vocab, 2);
  const Judge judge = Judge::random(JudgeShape::of(config()), 5);
  auto future = std::make_shared<const FutureAttention>(record_future_attention(*model, ids, 8));
  auto teacher = std::make_shared<GoldenTeacher>(judge, 24, 0.01f);
  Sequence judged(config(), schedule, teacher, 0, future), golden(config(), schedule, make_policy("golden"), 0, future);
  EXPECT_EQ(teacher_forced_losses(*model, judged, ids).ce, teacher_forced_losses(*model, golden, ids).ce);

  // Every (layer, step, head) whose targets are not all tied is judged.
  const GoldenLabels labels = golden_evictions(*future, schedule);
  int64_t ordered = 0;
  for (const GoldenEviction& e : labels.evictions)
    ordered += std::any_of(e.targets.begin(), e.targets.end(), [&](float t) { return t != e.targets[0]; });
  const JudgeScorecard& card = teacher->scorecard();
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
  Judge judge = Judge::random(JudgeShape::of(config()), 9);
  std::vector<float> grad(judge.parameters().size(), 0.0f);
  const double loss = judge_on_golden_path(*model, judge, ids, schedule, 0.01f, grad).loss;
  ASSERT_GT(loss, 0);
  Rng pick(1);
  int checked = 0;
  for (int trial = 0; trial < 60 && checked < 25; ++trial) {
    const size_t i = size_t(pick.next() % judge.parameters().size());
    if (grad[i] == 0) continue;  // a hidden unit's weight on a zero feature
    const float saved = judge.parameters()[i], eps = 1e-3f;
    judge.parameters()[i] = saved + eps;
    const double up = judge_on_golden_path(*model, judge, ids, schedule, 0.01f).loss;
    judge.parameters()[i] = saved - eps;
    const double down = judge_on_golden_path(*model, judge, ids, schedule, 0.01f).loss;
    judge.parameters()[i] = saved;
    EXPECT_NEAR((up - down) / (2 * eps), grad[i], 2e-3 + 0.02 * std::abs(grad[i])) << "parameter " << i;
    ++checked;
  }
  EXPECT_GE(checked, 10);
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
  const JudgeShape shape = JudgeShape::of(config());
  Judge whole = Judge::random(shape, 1);
  const JudgeScorecard before = evaluate_judge(*model, whole, train, schedule, s.margin);
  JudgeTrainerOptions quiet;
  quiet.log = nullptr;
  EXPECT_EQ(train_judge_sl(*model, train, heldout, whole, s, dir / "whole", quiet), 12);
  const JudgeScorecard after = evaluate_judge(*model, whole, train, schedule, s.margin);
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
    for (const Trace& t : traces(3, 80, 30)) out << Json{{"ids", t.ids}, {"prompt_len", 4}}.dump() << "\n";
  }
  const std::string train = test::cli() + " train-judge --model " + m + " --traces " + (dir / "t.jsonl").string() +
                            " --heldout " + (dir / "t.jsonl").string() + " --budget 24 --evict-every 8 --steps 3 "
                            "--traces-per-step 2 --out " + (dir / "j.safetensors").string();
  const auto r = test::run_command(train + " --stage sl");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("pairwise accuracy"), std::string::npos) << r.output;
  const Judge judge = read_judge(dir / "j.safetensors");
  EXPECT_EQ(judge.info.stage, "sl");
  EXPECT_EQ(judge.info.budget, 24);
  EXPECT_NE(judge.info.command.find("--steps 3"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "j.safetensors.train" / "checkpoint.safetensors"));

  const auto score = test::run_command(test::cli() + " score --model " + m + " --traces " +
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
