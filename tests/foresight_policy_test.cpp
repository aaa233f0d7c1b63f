// The foresight policy: the eviction sampler, the judge's top-k mode, a hand-set judge that is
// H2O, and the --judge options of the commands.
#include <algorithm>
#include <fstream>
#include <set>
#include <tuple>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "engine/transformer.hpp"
#include "eval/policy_grid.hpp"
#include "judge/eviction_sampler.hpp"
#include "judge/judge_file.hpp"
#include "model/random_model.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

std::vector<int32_t> top_indices(const std::vector<float>& phi, int m) {
  std::vector<int32_t> order(phi.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = int32_t(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return phi[a] > phi[b]; });
  order.resize(size_t(m));
  return order;
}

TEST(EvictionSampler, DrawsKDistinctFromTheTopTwoKDeterministicallyPerSeed) {
  Rng noise(1);
  std::vector<float> phi(40);
  for (float& p : phi) p = float(noise.normal());
  const int k = 6;
  const auto top = top_indices(phi, 2 * k);
  std::set<std::vector<int32_t>> distinct_draws;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    std::vector<int32_t> a(k), b(k);
    Rng r1(seed), r2(seed);
    sample_evictions(phi, k, r1, a);
    sample_evictions(phi, k, r2, b);
    EXPECT_EQ(a, b);
    EXPECT_EQ(std::set<int32_t>(a.begin(), a.end()).size(), size_t(k));
    for (int32_t c : a) EXPECT_NE(std::find(top.begin(), top.end(), c), top.end()) << c;
    std::sort(a.begin(), a.end());
    distinct_draws.insert(a);
  }
  EXPECT_GT(distinct_draws.size(), 10u);
  // k = n: everything goes.
  std::vector<int32_t> all(40);
  Rng r(3);
  sample_evictions(phi, 40, r, all);
  std::sort(all.begin(), all.end());
  for (int i = 0; i < 40; ++i) EXPECT_EQ(all[i], i);
  EXPECT_THROW(sample_evictions(phi, 41, r, std::span<int32_t>()), Error);
}

TEST(EvictionSampler, DrawsProportionallyToTheSoftmaxOfThePool) {
  // k = 1: the pool is the top two, {0: log 3, 2: 0}; P(0) = 3/4, P(2) = 1/4. Candidate 1 is
  // outside the pool and never drawn.
  const std::vector<float> phi = {std::log(3.0f), -5.0f, 0.0f, -9.0f};
  Rng rng(17);
  int counts[4] = {};
  const int n = 8000;
  for (int i = 0; i < n; ++i) {
    int32_t pick = -1;
    sample_evictions(phi, 1, rng, std::span(&pick, 1));
    ++counts[pick];
  }
  EXPECT_NEAR(double(counts[0]) / n, 0.75, 0.02);
  EXPECT_EQ(counts[1] + counts[3], 0);
  // k = 2 of a pool of four: P(first draw = 0) = e^2 / (e^2 + 3), and a second draw exists.
  const std::vector<float> flat = {2.0f, 0.0f, 0.0f, 0.0f};
  int first_zero = 0;
  for (int i = 0; i < n; ++i) {
    int32_t picks[2];
    sample_evictions(flat, 2, rng, picks);
    first_zero += picks[0] == 0;
  }
  EXPECT_NEAR(double(first_zero) / n, std::exp(2.0) / (std::exp(2.0) + 3), 0.02);
}

class ForesightTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_random_model(dir / "model", RandomModelSpec{});
    model = Model::load(dir / "model");
  }
  const ModelConfig& config() const { return model->config(); }
  // A judge whose only live unit reads one feature per query head of the group: with a bias
  // of 8 GELU is the identity in float (erf saturates), so phi = sign * (sum of those features).
  std::string hand_set_judge(int feature_in_group, float sign, const std::string& name,
                             const std::string& recent = "") {
    Judge judge(JudgeShape::of(config()));
    const int d = config().head_dim;
    for (int layer = 0; layer < config().n_layers; ++layer)
      for (int h = 0; h < config().n_kv_heads; ++h) {
        const JudgeHeadGrad p = Judge::head_in(judge.parameters(), judge.shape(), layer, h);
        for (int s = 0; s < config().group(); ++s)
          p.w1[(2 * d + 8 * s + feature_in_group) * kJudgeHidden] = 1;
        p.b1[0] = 8, p.w2[0] = sign, p.b2[0] = -8 * sign;
      }
    judge.info = {"model", 24, 8, "", "init", "test", recent};
    write_judge(dir / name, judge);
    return (dir / name).string();
  }
  std::shared_ptr<const Policy> foresight(const std::string& judge, const std::string& mode) {
    return make_policy("foresight", PolicyOptions{{judge}, mode, &config()});
  }
  test::TempDir dir;
  std::unique_ptr<Model> model;
};

TEST_F(ForesightTest, TopkWithAJudgeOfMinusCumulativeAttentionIsH2o) {
  const ModelConfig& c = config();
  const auto judge = hand_set_judge(kStatCum, -1.0f, "h2o.safetensors");
  const EvictionSchedule schedule{24, 8, 0};
  for (int salt = 0; salt < 3; ++salt) {
    const auto ids = test::pattern_tokens(120, c.vocab, salt);
    Sequence h2o(c, {.schedule = schedule, .policy = make_policy("h2o")}),
        judged(c, {.schedule = schedule, .policy = foresight(judge, "topk")});
    const auto expected = forward_tokens(*model, h2o, ids, LogitsWanted::All);
    EXPECT_EQ(forward_tokens(*model, judged, ids, LogitsWanted::All), expected);
    EXPECT_GT(judged.stats().evictions, 0);
    for (int layer = 0; layer < c.n_layers; ++layer)
      for (int h = 0; h < c.n_kv_heads; ++h) {
        const auto a = h2o.cache().head(layer, h).positions(),
                   b = judged.cache().head(layer, h).positions();
        EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << layer << " " << h;
      }
  }
}

TEST_F(ForesightTest, TopkEvictsTheHighestPhiAndSamplingStaysInTheTopTwoK) {
  // phi = a candidate's max attention summed over the group, on the live cache of a sequence
  // the foresight policy runs (so the cache tracks the judge's statistics), before any eviction.
  const ModelConfig& c = config();
  const auto judge = hand_set_judge(kStatMax, 1.0f, "max.safetensors");
  Sequence seq(c, {.schedule = EvictionSchedule{24, 8, 0}, .policy = foresight(judge, "topk")});
  forward_tokens(*model, seq, test::pattern_tokens(31, c.vocab), LogitsWanted::Last);
  EvictionView v;
  v.layer = 1, v.n_kv_heads = c.n_kv_heads, v.head_dim = c.head_dim, v.group = c.group();
  Rng rng(5);
  v.first = 0, v.n = seq.cache().head(1, 0).count() - 8, v.cache = &seq.cache(), v.rng = &rng;
  const int k = 7;
  std::vector<int32_t> top(size_t(k) * c.n_kv_heads), drawn(top.size());
  seq.settings().policy->choose_evictions(v, k, top);
  foresight(judge, "sample")->choose_evictions(v, k, drawn);
  for (int h = 0; h < c.n_kv_heads; ++h) {
    std::vector<float> phi(size_t(v.n));
    for (int cand = 0; cand < v.n; ++cand)
      for (int s = 0; s < c.group(); ++s) phi[cand] += v.stat(h, cand, s, kStatMax);
    auto expected = top_indices(phi, k);
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(std::vector<int32_t>(top.begin() + h * k, top.begin() + (h + 1) * k), expected) << h;
    const auto pool = top_indices(phi, 2 * k);
    for (int i = 0; i < k; ++i)
      EXPECT_NE(std::find(pool.begin(), pool.end(), drawn[h * k + i]), pool.end());
  }
}

TEST_F(ForesightTest, SamplingIsSeededAndKeepsTheBudget) {
  const ModelConfig& c = config();
  const std::string judge = dir.path().string() + "/init.safetensors";
  Judge init = Judge::random(JudgeShape::of(c), 1);
  for (float& p : init.parameters()) p *= 50;  // spread the scores so that draws differ
  write_judge(judge, init);
  const EvictionSchedule schedule{24, 8, 0};
  const auto ids = test::pattern_tokens(100, c.vocab);
  auto positions = [&](uint64_t seed) {
    Sequence seq(c, {.schedule = schedule, .policy = foresight(judge, "sample"), .seed = seed});
    forward_tokens(*model, seq, ids, LogitsWanted::Last);
    std::vector<int32_t> all;
    for (int layer = 0; layer < c.n_layers; ++layer)
      for (int h = 0; h < c.n_kv_heads; ++h) {
        const auto p = seq.cache().head(layer, h).positions();
        EXPECT_EQ(p.size(), 24u + 100 % 8);
        all.insert(all.end(), p.begin(), p.end());
      }
    return all;
  };
  EXPECT_EQ(positions(1), positions(1));
  EXPECT_NE(positions(1), positions(2));
}

// A judge trained beside a wider window (--recent) runs beside it unless the run says otherwise;
// the other policies keep L.
TEST_F(ForesightTest, AJudgeRunsBesideTheWindowItWasTrainedBeside) {
  const auto judge = hand_set_judge(kStatCum, -1.0f, "w.safetensors", "50%");
  const PolicyOptions options{{judge}, "topk", &config()};
  const std::vector<PolicyRun> runs = policy_grid("foresight,h2o", "24", 8, "", options);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].schedule.recent_name(), "50%");
  EXPECT_EQ(runs[0].schedule.recent_for(0), 12);
  EXPECT_EQ(runs[1].schedule.recent_for(0), 8);

  // Generated under it, the 12 newest positions survive every head; under L alone they need not.
  const auto ids = test::pattern_tokens(120, config().vocab, 1);
  const auto newest_kept = [&](const EvictionSchedule& schedule) {
    Sequence s(config(), {.schedule = schedule, .policy = runs[0].impl});
    forward_tokens(*model, s, ids, LogitsWanted::Last);
    int fewest = 1 << 30;
    for (int layer = 0; layer < config().n_layers; ++layer)
      for (int h = 0; h < config().n_kv_heads; ++h) {
        const auto p = s.cache().head(layer, h).positions();
        fewest = std::min(fewest, int(std::count_if(p.begin(), p.end(), [&](int64_t x) {
                            return x >= int64_t(ids.size()) - 12;
                          })));
      }
    return fewest;
  };
  EXPECT_EQ(newest_kept(runs[0].schedule), 12);
  EvictionSchedule plain = runs[0].schedule;
  plain.set_recent("");
  EXPECT_LT(newest_kept(plain), 12);

  // score reports the judge's window, and --recent overrides it.
  std::ofstream(dir / "w.jsonl")
      << Json{{"ids", test::pattern_tokens(60, config().vocab)}, {"prompt_len", 4}}.dump() << "\n";
  const std::string score = test::cli() + " score --model " + (dir / "model").string() +
                            " --traces " + (dir / "w.jsonl").string() +
                            " --budget 24 --evict-every 8 --policy foresight,h2o --judge " + judge +
                            " --json " + (dir / "w.json").string();
  for (const auto& [extra, judged, other] :
       {std::tuple<std::string, std::string, std::string>{"", "50%", "8"},
        {" --recent 10", "10", "10"}}) {
    const auto r = test::run_command(score + extra);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const Json report = read_json_file(dir / "w.json");
    EXPECT_EQ(report["summary"][0]["recent"], judged) << report.dump();
    EXPECT_EQ(report["summary"][1]["recent"], other) << report.dump();
  }
}

TEST_F(ForesightTest, CommandsTakeTheJudgeAndRefuseBadOnes) {
  const std::string m = (dir / "model").string(), judge = (dir / "j.safetensors").string();
  const auto init = test::run_command(test::cli() + " judge-init --model " + m +
                                      " --budget 24 --evict-every 8 --seed 3 --out " + judge);
  ASSERT_EQ(init.exit_code, 0) << init.output;
  const Judge j = read_judge(judge);
  const JudgeShape shape = JudgeShape::of(config(), JudgeFeatureSet::standard());  // the default
  EXPECT_EQ(j.shape(), shape);
  EXPECT_EQ(j.info.stage, "init");
  EXPECT_EQ(j.info.budget, 24);
  EXPECT_NE(j.info.command.find("judge-init"), std::string::npos);
  EXPECT_EQ(j.parameters()[9], Judge::random(shape, 3).parameters()[9]);
  const auto spec = test::run_command(test::cli() + " judge-init --model " + m +
                                      " --budget 24 --evict-every 8 --features spec --out " +
                                      (dir / "spec.safetensors").string());
  ASSERT_EQ(spec.exit_code, 0) << spec.output;
  EXPECT_EQ(read_judge(dir / "spec.safetensors").shape(), JudgeShape::of(config()));
  const auto bad = test::run_command(test::cli() + " judge-init --model " + m +
                                     " --budget 24 --evict-every 8 --features keys --out " +
                                     (dir / "bad.safetensors").string());
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("--features"), std::string::npos) << bad.output;

  std::ofstream(dir / "t.jsonl")
      << Json{{"ids", test::pattern_tokens(60, config().vocab)}, {"prompt_len", 4}}.dump() << "\n";
  const std::string score = test::cli() + " score --model " + m + " --traces " +
                            (dir / "t.jsonl").string() + " --budget 24 --evict-every 8 ";
  for (const std::string mode : {"sample", "topk"}) {
    const auto r = test::run_command(score + "--policy full,foresight --judge " + judge +
                                     " --judge-mode " + mode);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("| foresight | 24 | 8 |"), std::string::npos) << r.output;
  }
  // Labelled judges run side by side; their rows carry the label.
  const auto both = test::run_command(score + "--policy foresight,foresight-sl --judge " + judge +
                                      " --judge sl=" + judge + " --judge-mode topk");
  ASSERT_EQ(both.exit_code, 0) << both.output;
  EXPECT_NE(both.output.find("| foresight-sl | 24 | 8 |"), std::string::npos) << both.output;
  const auto gen = test::run_command(test::cli() + " generate --model " + m +
                                     " --prompt hello --max-new-tokens 40"
                                     " --policy foresight --budget 24 --evict-every 8 --judge " +
                                     judge);
  EXPECT_EQ(gen.exit_code, 0) << gen.output;

  // A judge for another model (three layers).
  write_random_model(dir / "other", RandomModelSpec{.layers = 3});
  const auto other = test::run_command(
      test::cli() + " judge-init --model " + (dir / "other").string() +
      " --budget 24 --evict-every 8 --out " + (dir / "other.safetensors").string());
  ASSERT_EQ(other.exit_code, 0) << other.output;
  const std::pair<std::string, std::string> cases[] = {
      {"--policy foresight", "--judge"},
      {"--policy foresight-rl --judge " + judge, "--judge rl=FILE"},
      {"--policy foresight --judge " + judge + " --judge-mode greedy", "--judge-mode"},
      {"--policy foresight --judge " + (dir / "other.safetensors").string(), "other.safetensors"},
      {"--policy foresight --judge " + (dir / "none.safetensors").string(), "none.safetensors"}};
  for (const auto& [args, needle] : cases) {
    const auto r = test::run_command(score + args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_NE(r.output.find(needle), std::string::npos) << args << ": " << r.output;
  }
  const auto eval =
      test::run_command(test::cli() + " eval --model " + m + " --dataset " +
                        (dir / "t.jsonl").string() + " --policies foresight --budgets 24");
  EXPECT_NE(eval.exit_code, 0);
  EXPECT_NE(eval.output.find("--judge"), std::string::npos) << eval.output;
}

}  // namespace
}  // namespace foresight
