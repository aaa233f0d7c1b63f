// GRPO over the eviction MDP: the rewards on hand-made arrays, the draw's log-probability
// against enumeration, the sampler and finite differences, the PPO term and the whole rollout
// objective against finite differences, rollouts that draw as the foresight policy does,
// training that moves the judge and resumes bit for bit, and the command's errors.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "eval/fidelity.hpp"
#include "judge/eviction_sampler.hpp"
#include "judge/judge_file.hpp"
#include "policy/foresight.hpp"
#include "test_util.hpp"
#include "train/draw_log_prob.hpp"
#include "train/judge_rl_trainer.hpp"
#include "train/ppo_objective.hpp"
#include "train/rollout.hpp"
#include "train/rollout_reward.hpp"

namespace foresight {
namespace {

TEST(RolloutReward, EachRewardOnHandMadeArrays) {
  // Tokens 0-1 come before the first eviction (their rise of 10 must not count); tokens 2-11
  // rise by `delta`. The two highest entropies (2.0 and 1.5) leave the 80% lowest without the
  // rises 4.0 and 2.5.
  const std::vector<double> delta = {10, 10, 2.0, 0.5, 3.0, -0.5, 1.5, 1.6, 0.0, 4.0, 0.2, 2.5};
  const std::vector<float> entropy = {0,    0,    0.1f, 0.2f, 0.3f, 0.4f,
                                      0.5f, 0.6f, 0.7f, 2.0f, 0.8f, 1.5f};
  std::vector<float> full(delta.size(), 1.0f), ce;
  for (const double d : delta) ce.push_back(float(1 + d));
  const auto reward = [&](RewardKind k) { return rollout_reward(k, ce, full, entropy, 2, 1.5); };
  EXPECT_NEAR(reward(RewardKind::All), -14.8 / 10, 1e-6);
  EXPECT_NEAR(reward(RewardKind::Low), -8.3 / 8, 1e-6);
  EXPECT_NEAR(reward(RewardKind::LowLarge), -(2.0 + 3.0 + 1.6) / 8, 1e-6);  // 1.5 is not > 1.5
  EXPECT_NEAR(reward(RewardKind::Squared), -(4.0 + 9.0 + 2.56) / 8, 1e-5);
  EXPECT_NEAR(rollout_reward(RewardKind::LowLarge, ce, full, entropy, 2, 1.0),
              -(2.0 + 3.0 + 1.5 + 1.6) / 8, 1e-6);  // a lower threshold counts the rise of 1.5
  EXPECT_EQ(rollout_reward(RewardKind::Squared, ce, full, entropy, 12, 1.5), 0);  // none after
  EXPECT_THROW(rollout_reward(RewardKind::All, ce, std::vector<float>(3), entropy, 2, 1.5), Error);

  for (const char* name : {"squared", "all", "low", "low-large"})
    EXPECT_EQ(reward_name(parse_reward(name)), name);
  try {
    parse_reward("lowest");
    FAIL();
  } catch (const FieldError& e) {
    EXPECT_EQ(e.field(), "reward") << e.what();
    EXPECT_NE(e.rest().find("'lowest'"), std::string::npos) << e.what();
  }
}

TEST(RolloutReward, FirstTokenAfterEvictionAndGroupAdvantages) {
  // B = 24, L = 8: chunks end at 7, 15, 23, 31; the cache first exceeds 24 after chunk 3.
  EXPECT_EQ(first_token_after_eviction({24, 8, 0}), 33);
  EXPECT_EQ(first_token_after_eviction({25, 8, 0}), 33);
  EXPECT_EQ(first_token_after_eviction({32, 8, 0}), 41);

  const GroupAdvantages g = group_advantages(std::vector<double>{1, 2, 3});
  EXPECT_DOUBLE_EQ(g.mean, 2);
  EXPECT_DOUBLE_EQ(g.spread, 1);  // sample standard deviation
  ASSERT_EQ(g.advantages.size(), 3u);
  EXPECT_NEAR(g.advantages[0], -1, 1e-7);
  EXPECT_NEAR(g.advantages[1], 0, 1e-12);
  EXPECT_NEAR(g.advantages[2], 1, 1e-7);
  EXPECT_EQ(group_advantages(std::vector<double>{-0.5, -0.5}).advantages,
            std::vector<double>(2, 0.0));
  EXPECT_THROW(group_advantages(std::vector<double>{1}), Error);
}

// Scores arranged as draw_log_prob wants them: the drawn ones in order, then the rest.
std::vector<float> drawn_first(const std::vector<float>& phi, const std::vector<int>& draws) {
  std::vector<float> out;
  for (const int d : draws) out.push_back(phi[d]);
  for (int i = 0; i < int(phi.size()); ++i)
    if (std::find(draws.begin(), draws.end(), i) == draws.end()) out.push_back(phi[i]);
  return out;
}

TEST(DrawLogProb, ExactIsThePlackettLuceProbabilityOfEveryOrderedDraw) {
  const std::vector<float> phi = {0.3f, -1.2f, 2.0f, 0.7f, -0.1f};
  // Every ordered draw of 2 and of 3, against the product of successive softmaxes.
  for (const int k : {2, 3}) {
    double total = 0;
    std::vector<int> draws(static_cast<size_t>(k));
    const std::function<void(int)> enumerate = [&](int t) {
      if (t == k) {
        double want = 1, rest = 0;
        for (const float p : phi) rest += std::exp(double(p));
        for (const int d : draws) {
          want *= std::exp(double(phi[d])) / rest;
          rest -= std::exp(double(phi[d]));
        }
        const double got = std::exp(draw_log_prob(drawn_first(phi, draws), k, DrawLogProb::Exact));
        EXPECT_NEAR(got, want, 1e-7);
        total += got;
        return;
      }
      for (int i = 0; i < int(phi.size()); ++i)
        if (std::find(draws.begin(), draws.begin() + t, i) == draws.begin() + t)
          draws[t] = i, enumerate(t + 1);
    };
    enumerate(0);
    EXPECT_NEAR(total, 1, 1e-9) << k;
  }
  // The surrogate: each drawn index's log-softmax over the whole pool.
  double lse = 0;
  for (const float p : phi) lse += std::exp(double(p));
  lse = std::log(lse);
  EXPECT_NEAR(draw_log_prob(drawn_first(phi, {2, 4}), 2, DrawLogProb::Surrogate),
              double(phi[2]) + phi[4] - 2 * lse, 1e-9);
  EXPECT_EQ(draw_log_prob(phi, 0, DrawLogProb::Exact), 0);
  EXPECT_THROW(draw_log_prob(phi, 6, DrawLogProb::Exact), Error);
  EXPECT_EQ(draw_log_prob_name(parse_draw_log_prob("surrogate")), "surrogate");
  EXPECT_THROW(parse_draw_log_prob("pl"), Error);
}

TEST(DrawLogProb, SamplerDrawsWithTheseProbabilitiesFromItsPool) {
  // Six candidates, k = 2: the pool is the top 4 phi (indices 0, 2, 3, 5); candidates 1 and 4
  // are never drawn, and each ordered pair of the pool comes up as often as the likelihood says.
  const std::vector<float> phi = {0.5f, -2.0f, 1.0f, 0.0f, -1.0f, 0.8f};
  const std::vector<int32_t> pool = eviction_pool(phi, 2);
  EXPECT_EQ(pool, (std::vector<int32_t>{0, 2, 3, 5}));
  std::vector<float> pooled;
  for (const int32_t c : pool) pooled.push_back(phi[c]);
  std::map<std::pair<int, int>, int> counts;
  Rng rng(11);
  const int n = 40000;
  for (int i = 0; i < n; ++i) {
    int32_t out[2];
    sample_evictions(phi, 2, rng, out);
    counts[{out[0], out[1]}] += 1;
  }
  double total = 0;
  for (const auto& [pair, count] : counts) {
    const auto a = std::find(pool.begin(), pool.end(), pair.first) - pool.begin();
    const auto b = std::find(pool.begin(), pool.end(), pair.second) - pool.begin();
    ASSERT_LT(a, 4);
    ASSERT_LT(b, 4);
    const double p =
        std::exp(draw_log_prob(drawn_first(pooled, {int(a), int(b)}), 2, DrawLogProb::Exact));
    EXPECT_NEAR(double(count) / n, p, 4 * std::sqrt(p * (1 - p) / n) + 1e-3);
    total += p;
  }
  EXPECT_EQ(counts.size(), 12u);
  EXPECT_NEAR(total, 1, 1e-9);
}

TEST(DrawLogProb, GradientMatchesFiniteDifferences) {
  Rng rng(4);
  for (const DrawLogProb kind : {DrawLogProb::Exact, DrawLogProb::Surrogate})
    for (const int drawn : {1, 3, 6}) {
      std::vector<float> phi(8), dphi(8);
      for (float& p : phi) p = float(rng.normal());
      draw_log_prob(phi, drawn, kind, dphi);
      for (size_t j = 0; j < phi.size(); ++j) {
        std::vector<float> up = phi, down = phi;
        const float eps = 1e-2f;
        up[j] += eps, down[j] -= eps;
        const double fd = (draw_log_prob(up, drawn, kind) - draw_log_prob(down, drawn, kind)) /
                          (double(up[j]) - down[j]);
        EXPECT_NEAR(dphi[j], fd, 1e-4) << draw_log_prob_name(kind) << " k " << drawn << " j " << j;
      }
    }
}

TEST(PpoTerm, ClipsWhereTheRatioLeavesTheRangeAndMatchesFiniteDifferences) {
  struct Case {
    double log_prob, advantage;
    bool clipped;
  };
  // old = 0, so the ratio is exp(log_prob); eps 0.2.
  const std::vector<Case> cases = {{0.1, 1.5, false},  {0.3, 1.5, true},   {-0.4, 1.5, false},
                                   {-0.4, -0.8, true}, {0.3, -0.8, false}, {0.05, -0.8, false}};
  for (const Case& c : cases)
    for (const double beta : {0.0, 0.05}) {
      const double ref = -0.2;
      const PpoTerm t = ppo_term(c.log_prob, 0, ref, c.advantage, 0.2, beta);
      EXPECT_EQ(t.clipped, c.clipped) << c.log_prob << " " << c.advantage;
      const double r = std::exp(c.log_prob);
      EXPECT_NEAR(t.loss,
                  -std::min(r * c.advantage, std::clamp(r, 0.8, 1.2) * c.advantage) + beta * t.kl,
                  1e-12);
      EXPECT_NEAR(t.kl, std::exp(ref - c.log_prob) - (ref - c.log_prob) - 1, 1e-12);
      const double h = 1e-6;
      const double fd = (ppo_term(c.log_prob + h, 0, ref, c.advantage, 0.2, beta).loss -
                         ppo_term(c.log_prob - h, 0, ref, c.advantage, 0.2, beta).loss) /
                        (2 * h);
      EXPECT_NEAR(t.dlog_prob, fd, 1e-6) << c.log_prob << " " << c.advantage << " " << beta;
    }
  EXPECT_EQ(ppo_term(-3, -3, -3, 2, 0.2, 0.05).kl, 0);  // the reference itself: no divergence
}

class JudgeRl : public test::TinyModelTest {
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
    add_full_cache_references(*model, out, schedule.evict_every);
    return out;
  }
  // Two steps of 2 traces x 3 rollouts, 2 epochs. The tiny random model's rises stay below
  // 1.5 nats, so the squared reward would be 0 for every rollout; the all-token reward differs
  // between rollouts.
  JudgeRlSettings small_run() const {
    JudgeRlSettings s;
    s.schedule = schedule;
    s.steps = 2;
    s.traces_per_step = 2;
    s.group = 3;
    s.epochs = 2;
    s.lr = 1e-2;
    s.reward = RewardKind::All;
    s.eval_every = 100;
    return s;
  }
  const EvictionSchedule schedule{24, 8, 0};
};

TEST_F(JudgeRl, RolloutDrawsAsTheForesightPolicyAndRecordsEveryDecision) {
  const auto ids = test::pattern_tokens(90, config().vocab, 2);
  const Judge judge = Judge::random(JudgeShape::of(config()), 5);
  const Rollout r = run_rollout(*model, judge, ids, 4, schedule, 7);
  Sequence sampled(config(),
                   {.schedule = schedule, .policy = make_foresight_policy(judge, true), .seed = 7});
  EXPECT_EQ(r.ce, teacher_forced_losses(*model, sampled, ids).ce);
  // Before the first eviction the rollout predicts exactly as the full cache does.
  Sequence full(config(), {.schedule = EvictionSchedule{0, 8, 0}});
  const std::vector<float> full_ce = teacher_forced_losses(*model, full, ids).ce;
  const int64_t first = first_token_after_eviction(schedule);
  EXPECT_TRUE(std::equal(full_ce.begin(), full_ce.begin() + first, r.ce.begin()));
  EXPECT_NE(std::vector<float>(full_ce.begin() + first, full_ce.end()),
            std::vector<float>(r.ce.begin() + first, r.ce.end()));

  // Chunks end at 31, 39, ..., 87: 8 evictions per layer, of 8 (the first: 32 - 24 = 8 too).
  const int F = judge.shape().features();
  ASSERT_EQ(r.decisions.size(), size_t(8 * config().n_layers * config().n_kv_heads));
  int64_t rows = 0;
  for (const RolloutDecision& d : r.decisions) {
    EXPECT_EQ(d.drawn, 8);
    EXPECT_EQ(d.pooled, 16);
    EXPECT_EQ(d.offset, rows * F);
    rows += d.pooled;
  }
  EXPECT_EQ(r.features.size(), size_t(rows * F));

  Rollout prepared = r;
  const Judge other = Judge::random(JudgeShape::of(config()), 6);
  prepare_rollout(judge, other, DrawLogProb::Exact, prepared);
  for (const RolloutDecision& d : prepared.decisions) {
    EXPECT_LT(d.old_log_prob, 0);
    EXPECT_GT(d.old_log_prob, -8 * std::log(16.0) - 1);  // near uniform: -log(16 x 15 x ... x 9)
    EXPECT_NE(d.old_log_prob, d.ref_log_prob);
  }
  // Under the judge that drew, every ratio is 1: nothing is clipped and the KL is the reference's.
  const PpoSums sums = rollout_objective(judge, prepared, 1.0, {DrawLogProb::Exact, 0.2, 0.0});
  EXPECT_EQ(sums.decisions, int64_t(r.decisions.size()));
  EXPECT_EQ(sums.clipped, 0);
  EXPECT_DOUBLE_EQ(sums.loss, -double(sums.decisions));
  EXPECT_GT(sums.kl, 0);
}

TEST_F(JudgeRl, ObjectiveGradientMatchesCentralFiniteDifferences) {
  const auto ids = test::pattern_tokens(80, config().vocab, 3);
  const JudgeShape shape = JudgeShape::of(config());
  // Scores that vary (larger weights than the N(0, 0.02) start) make the draws far from uniform.
  Judge drew = Judge::random(shape, 9);
  for (float& p : drew.parameters()) p *= 20;
  // A reference near the drawing judge: the k3 KL grows like exp(log-ratio), and against an
  // unrelated judge its curvature swamps a finite difference.
  Judge reference = drew;
  Rng reference_noise(10);
  for (float& p : reference.parameters()) p += float(0.05 * reference_noise.normal());
  for (const DrawLogProb kind : {DrawLogProb::Exact, DrawLogProb::Surrogate}) {
    Rollout r = run_rollout(*model, drew, ids, 4, schedule, 3);
    prepare_rollout(drew, reference, kind, r);
    // The judge being trained has moved from the one that drew, far enough that the clip acts.
    Judge judge = drew;
    Rng noise(2);
    for (float& p : judge.parameters()) p += float(0.05 * noise.normal());
    for (const double advantage : {0.9, -1.3}) {
      const PpoSettings s{kind, 0.2, 0.05};
      std::vector<float> grad(judge.parameters().size(), 0.0f);
      const PpoSums sums = rollout_objective(judge, r, advantage, s, grad);
      EXPECT_GT(sums.clipped, 0) << "no decision is clipped: the test does not cover the clip";
      EXPECT_LT(sums.clipped, sums.decisions);
      Rng pick(1);
      int checked = 0;
      for (int trial = 0; trial < 80 && checked < 20; ++trial) {
        const size_t i = size_t(pick.next() % judge.parameters().size());
        if (grad[i] == 0) continue;
        const float saved = judge.parameters()[i], eps = 2e-3f;
        judge.parameters()[i] = saved + eps;
        const double up = rollout_objective(judge, r, advantage, s).loss;
        judge.parameters()[i] = saved - eps;
        const double down = rollout_objective(judge, r, advantage, s).loss;
        judge.parameters()[i] = saved;
        EXPECT_NEAR((up - down) / (2 * eps), grad[i], 2e-3 + 0.02 * std::abs(grad[i]))
            << draw_log_prob_name(kind) << " A " << advantage << " parameter " << i;
        ++checked;
      }
      EXPECT_GE(checked, 10);
    }
  }
}

TEST_F(JudgeRl, TrainingMovesTheJudgeAndResumesBitForBit) {
  const std::vector<Trace> train = traces(3, 80, 10), heldout = traces(1, 80, 20);
  JudgeRlSettings s = small_run();
  s.kl_steps = 1;
  const Judge start = Judge::random(JudgeShape::of(config()), 1);
  Judge whole = start;
  JudgeTrainerOptions quiet;
  quiet.log = nullptr;
  EXPECT_EQ(train_judge_rl(*model, train, heldout, whole, start, s, dir / "whole", quiet), 2);
  EXPECT_FALSE(
      std::equal(whole.parameters().begin(), whole.parameters().end(), start.parameters().begin()));

  std::ifstream in(dir / "whole" / "train_log.jsonl");
  std::vector<Json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
  ASSERT_EQ(lines.size(), 2u + 2u);  // held-out evaluations at steps 0 and 2
  for (const Json& j : lines) {
    if (j.contains("eval")) {
      EXPECT_TRUE(std::isfinite(j["loss_ratio"].get<double>()));
      EXPECT_GT(j["loss_ratio"].get<double>(), 0.5);
      continue;
    }
    for (const char* key : {"reward", "reward_std", "kl", "loss", "clip_fraction", "sharpness"})
      EXPECT_TRUE(std::isfinite(j[key].get<double>())) << key << " " << j.dump();
    EXPECT_GT(j["reward_std"].get<double>(), 0);
    EXPECT_GT(j["decisions"].get<int64_t>(), 0);
  }
  EXPECT_EQ(lines[1]["beta"], 0.05);  // kl_steps = 1: beta on the first step only
  EXPECT_EQ(lines[2]["beta"], 0.0);

  Judge split = start;
  JudgeTrainerOptions first = quiet;
  first.until = 1;
  EXPECT_EQ(train_judge_rl(*model, train, heldout, split, start, s, dir / "split", first), 1);
  Judge resumed = Judge::random(JudgeShape::of(config()), 77);  // overwritten by the checkpoint
  JudgeTrainerOptions rest = quiet;
  rest.resume = true;
  EXPECT_EQ(train_judge_rl(*model, train, heldout, resumed, start, s, dir / "split", rest), 2);
  EXPECT_TRUE(std::equal(resumed.parameters().begin(), resumed.parameters().end(),
                         whole.parameters().begin()));
  std::ifstream a(dir / "whole" / "train_log.jsonl"), b(dir / "split" / "train_log.jsonl");
  std::string la, lb;
  while (std::getline(a, la) && std::getline(b, lb)) {
    Json ja = Json::parse(la), jb = Json::parse(lb);
    EXPECT_EQ(ja, jb);
  }

  JudgeRlSettings bad = s;
  bad.group = 1;
  EXPECT_THROW(train_judge_rl(*model, train, heldout, split, start, bad, dir / "bad", quiet),
               Error);
  std::vector<Trace> bare = train;
  bare[1].ce.clear();
  bare[1].entropy.clear();
  EXPECT_THROW(train_judge_rl(*model, bare, heldout, split, start, s, dir / "bare", quiet), Error);
}

// Steps whose rollouts all score the same, with no KL term, carry no gradient; the judge must not
// move on them (Adam's momentum from the earlier steps would otherwise carry it on).
TEST_F(JudgeRl, StepsWithoutSignalLeaveTheJudgeWhereItIs) {
  const std::vector<Trace> train = traces(3, 80, 10);
  JudgeRlSettings s = small_run();
  s.kl_beta = 0;
  const Judge start = Judge::random(JudgeShape::of(config()), 1);
  Judge judge = start;
  JudgeTrainerOptions quiet;
  quiet.log = nullptr;
  train_judge_rl(*model, train, {}, judge, start, s, dir / "run", quiet);
  const std::vector<float> after_signal(judge.parameters().begin(), judge.parameters().end());
  EXPECT_FALSE(std::equal(after_signal.begin(), after_signal.end(), start.parameters().begin()));

  s.steps = 4;
  s.reward = RewardKind::Squared;
  s.large_rise = 1e9;  // no rise is that large: every reward is 0
  JudgeTrainerOptions resume = quiet;
  resume.resume = true;
  train_judge_rl(*model, train, {}, judge, start, s, dir / "run", resume);
  EXPECT_TRUE(std::equal(after_signal.begin(), after_signal.end(), judge.parameters().begin()));
}

// JudgeTrainerOptions::accuracy is called with the judge being trained, at every held-out
// evaluation, and each call is logged as an {"eval": "tasks"} line.
TEST_F(JudgeRl, HeldoutAccuracySeesTheJudgeBeingTrained) {
  const std::vector<Trace> train = traces(3, 80, 10);
  JudgeRlSettings s = small_run();
  s.eval_every = 1;
  const Judge start = Judge::random(JudgeShape::of(config()), 1);
  Judge judge = start;
  std::vector<std::vector<float>> seen;
  JudgeTrainerOptions options;
  options.log = nullptr;
  options.accuracy = [&](const Judge& j) {
    seen.emplace_back(j.parameters().begin(), j.parameters().end());
    return Metrics{{"accuracy", 0.25 * double(seen.size())}};
  };
  train_judge_rl(*model, train, {}, judge, start, s, dir / "run", options);
  ASSERT_EQ(seen.size(), 3u);  // before the first step and after each of the two
  EXPECT_TRUE(std::equal(seen[0].begin(), seen[0].end(), start.parameters().begin()));
  EXPECT_TRUE(std::equal(seen[2].begin(), seen[2].end(), judge.parameters().begin()));
  EXPECT_FALSE(std::equal(seen[1].begin(), seen[1].end(), seen[2].begin()));
  std::ifstream in(dir / "run" / "train_log.jsonl");
  std::vector<double> logged;
  for (std::string line; std::getline(in, line);) {
    const Json j = Json::parse(line);
    if (j.value("eval", "") == "tasks") logged.push_back(j["accuracy"].get<double>());
  }
  EXPECT_EQ(logged, (std::vector<double>{0.25, 0.5, 0.75}));
}

TEST_F(JudgeRl, CommandWritesAnRlJudgeAndRefusesBadInput) {
  const std::string m = dir.path().string();
  {
    std::ofstream out(dir / "t.jsonl");  // JSONL: no reference; the command computes it (for
                                         // the training and the held-out copies: 4 traces)
    for (int i = 0; i < 2; ++i)
      out << Json{{"ids", test::pattern_tokens(70 + 5 * i, config().vocab, 40 + i)},
                  {"prompt_len", 4}}
                 .dump()
          << "\n";
  }
  Judge sl = Judge::random(JudgeShape::of(config()), 3);
  sl.info.recent = "12";  // trained beside a window of 12: the RL stage keeps it
  write_judge(dir / "sl.safetensors", sl);
  const std::string traces = (dir / "t.jsonl").string(), out = (dir / "rl.safetensors").string();
  const std::string base = test::cli() + " train-judge --model " + m + " --traces " + traces +
                           " --budget 24 --evict-every 8 --out " + out;
  const std::string rl = base + " --stage rl --heldout " + traces +
                         " --steps 2 --traces-per-step 2 --group 2 --epochs 2 --reward all "
                         "--log-prob surrogate --phi-scale 4";
  const auto r = test::run_command(rl + " --init " + (dir / "sl.safetensors").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("full-cache reference of 4 traces"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("held-out loss ratio"), std::string::npos) << r.output;
  const Judge judge = read_judge(out);
  EXPECT_EQ(judge.info.stage, "rl");
  EXPECT_EQ(judge.info.recent, "12");
  EXPECT_NE(judge.info.command.find("--recent 12 "), std::string::npos) << judge.info.command;
  EXPECT_NE(judge.info.command.find("--log-prob surrogate --phi-scale 4"), std::string::npos);
  EXPECT_NE(judge.info.command.find("--group 2"), std::string::npos);
  std::ifstream log(dir / "rl.safetensors.train" / "train_log.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(log, line));
  EXPECT_NE(line.find("loss_ratio"), std::string::npos) << line;
  std::filesystem::remove(out);

  const auto expect_error = [&](const std::string& command, const std::string& needle) {
    const auto e = test::run_command(command);
    EXPECT_NE(e.exit_code, 0) << command;
    EXPECT_NE(e.output.find(needle), std::string::npos) << command << "\n" << e.output;
    EXPECT_FALSE(std::filesystem::exists(out)) << command;
  };
  const std::string dir_option = " --checkpoint-dir " + (dir / "c").string();
  expect_error(rl + dir_option, "--init");
  write_judge(dir / "other.safetensors", Judge::random(JudgeShape{1, 1, 8, 1, {}}, 1));
  expect_error(rl + dir_option + " --init " + (dir / "other.safetensors").string(),
               "other.safetensors");
  expect_error(rl + dir_option + " --init " + (dir / "sl.safetensors").string() + " --reward big",
               "--reward");
  expect_error(rl + dir_option + " --init " + (dir / "sl.safetensors").string() + " --log-prob pl",
               "--log-prob");
  expect_error(rl + dir_option + " --init " + (dir / "sl.safetensors").string() + " --group 1",
               "--group");
  expect_error(
      rl + dir_option + " --init " + (dir / "sl.safetensors").string() + " --large-rise -1",
      "--large-rise");
  expect_error(rl + dir_option + " --init " + (dir / "sl.safetensors").string() + " --phi-scale 0",
               "--phi-scale");
  expect_error(rl + dir_option + " --init " + (dir / "sl.safetensors").string() + " --margin 0.1",
               "--margin applies to --stage sl");
  expect_error(base + dir_option + " --stage sl --group 4", "--group applies to --stage rl");
}

}  // namespace
}  // namespace foresight
