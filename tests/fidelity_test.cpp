// Teacher-forced scoring: per-token losses, the fidelity summary, the traces file formats, the
// policy x budget grid and the `score` command.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "engine/transformer.hpp"
#include "eval/fidelity.hpp"
#include "eval/policy_grid.hpp"
#include "model/random_model.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

using FidelityTest = test::TinyModelTest;

TEST_F(FidelityTest, LossesAreTheLogSoftmaxOfTheFullLogits) {
  const int vocab = model->config().vocab;
  const auto ids = test::pattern_tokens(40, vocab);
  Sequence a(model->config(), {.schedule = EvictionSchedule{0, 16, 0}});
  const auto logits = forward_tokens(*model, a, ids, LogitsWanted::All);
  Sequence b(model->config(), {.schedule = EvictionSchedule{0, 16, 0}});
  const TokenLosses losses = teacher_forced_losses(*model, b, ids);
  EXPECT_EQ(losses.ce[0], 0.0f);
  for (size_t t = 1; t < ids.size(); ++t) {
    // Probabilities in long double, straight from the definition.
    const float* z = logits.data() + (t - 1) * vocab;
    long double norm = 0, entropy = 0;
    for (int v = 0; v < vocab; ++v) norm += std::exp((long double)z[v]);
    for (int v = 0; v < vocab; ++v) {
      const long double p = std::exp((long double)z[v]) / norm;
      entropy -= p * std::log(p);
    }
    const long double ce = -std::log(std::exp((long double)z[ids[t]]) / norm);
    EXPECT_NEAR(losses.ce[t], double(ce), 1e-5 * double(ce)) << t;
    EXPECT_NEAR(losses.entropy[t], double(entropy), 1e-5 * double(entropy)) << t;
  }
}

TEST_F(FidelityTest, BudgetAboveTheLengthGivesLossRatioOne) {
  std::vector<Trace> traces(2);
  for (int i = 0; i < 2; ++i) {
    traces[i].ids = test::pattern_tokens(60 + 10 * i, model->config().vocab, i);
    traces[i].prompt_len = 8;
    Sequence full(model->config(), {.schedule = EvictionSchedule{0, 16, 0}});
    auto ref = teacher_forced_losses(*model, full, traces[i].ids);
    traces[i].ce = ref.ce, traces[i].entropy = ref.entropy;
  }
  for (const PolicyRun& run : policy_grid("h2o,snapkv,rkv,tova,streaming,random", "96", 16, "")) {
    std::vector<std::vector<float>> ce;
    for (const Trace& t : traces) {
      Sequence seq(model->config(), {.schedule = run.schedule, .policy = run.impl});
      ce.push_back(teacher_forced_losses(*model, seq, t.ids).ce);
    }
    const FidelitySummary s = summarize_fidelity(traces, ce);
    EXPECT_EQ(s.loss_ratio, 1.0) << run.policy;
    EXPECT_EQ(s.tokens, 52 + 62);
  }
}

TEST(FidelitySummary, SplitsTokensByFullCacheEntropy) {
  // Ten scored tokens (after a 1-token prompt); entropies 0..9 in shuffled order, so the eight
  // lowest are entropies 0..7 and the two highest 8 and 9.
  Trace t;
  t.prompt_len = 1;
  const float entropy[10] = {3, 9, 0, 5, 8, 1, 7, 2, 6, 4};
  t.ids.assign(11, 1);
  t.ce.assign(11, 0);
  t.entropy.assign(11, 0);
  std::vector<float> policy(11, 0);
  for (int i = 0; i < 10; ++i) {
    t.entropy[i + 1] = entropy[i];
    t.ce[i + 1] = 1.0f;
    policy[i + 1] = entropy[i] >= 8 ? 1.5f : 3.0f;  // low-entropy tokens triple, high ones +50%
  }
  const FidelitySummary s = summarize_fidelity({t}, {policy});
  EXPECT_EQ(s.tokens, 10);
  EXPECT_DOUBLE_EQ(s.full_loss, 1.0);
  EXPECT_DOUBLE_EQ(s.loss, (8 * 3.0 + 2 * 1.5) / 10);
  EXPECT_DOUBLE_EQ(s.loss_ratio, 2.7);
  EXPECT_DOUBLE_EQ(s.low_entropy_rise, 2.0);
  EXPECT_DOUBLE_EQ(s.high_entropy_rise, 0.5);
  EXPECT_DOUBLE_EQ(s.low_entropy_delta, 2.0);
  EXPECT_DOUBLE_EQ(s.high_entropy_delta, 0.5);
}

TEST(TraceFiles, SafetensorsRoundTripAndJsonl) {
  test::TempDir dir;
  std::vector<Trace> traces(2);
  traces[0] = {"a", "program", {1, 2, 3, 4}, 2, {0, 1.5f, 0.25f, 2}, {0, 1, 1, 0.5f}};
  traces[1] = {"b", "pointer", {5, 6, 7}, 1, {0, 0.5f, 0.75f}, {0, 2, 3}};
  write_traces(dir / "t.safetensors", traces, Json{{"seed", 7}});
  const auto back = read_traces(dir / "t.safetensors", 10);
  ASSERT_EQ(back.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(back[i].id, traces[i].id);
    EXPECT_EQ(back[i].group, traces[i].group);
    EXPECT_EQ(back[i].ids, traces[i].ids);
    EXPECT_EQ(back[i].prompt_len, traces[i].prompt_len);
    EXPECT_EQ(back[i].ce, traces[i].ce);
    EXPECT_EQ(back[i].entropy, traces[i].entropy);
  }
  EXPECT_EQ(read_trace_settings(dir / "t.safetensors")["seed"], 7);

  std::ofstream(dir / "t.jsonl") << R"({"ids": [1, 2, 3], "prompt_len": 1, "group": "g"})"
                                    "\n\n"
                                 << R"({"ids": [4, 5], "prompt_len": 1, "id": "x"})"
                                    "\n";
  const auto jsonl = read_traces(dir / "t.jsonl");
  ASSERT_EQ(jsonl.size(), 2u);
  EXPECT_EQ(jsonl[0].group, "g");
  EXPECT_EQ(jsonl[1].id, "x");
  EXPECT_FALSE(jsonl[0].has_reference());
}

TEST(TraceFiles, BadInputNamesTheFileAndProblem) {
  test::TempDir dir;
  auto expect_error = [&](const std::string& name, const std::string& text,
                          const std::string& needle, int vocab = 0) {
    std::ofstream(dir / name) << text;
    try {
      read_traces(dir / name, vocab);
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(name), std::string::npos) << message;
      EXPECT_NE(message.find(needle), std::string::npos) << message;
    }
  };
  expect_error("a.jsonl", R"({"ids": [1, 2], "prompt_len": 0})", "prompt_len");
  expect_error("b.jsonl", R"({"ids": [1, 2], "prompt_len": 2})", "prompt_len");
  expect_error("c.jsonl", R"({"ids": [1, 99], "prompt_len": 1})", "vocabulary", 10);
  expect_error("d.jsonl", R"({"ids": [1, -2], "prompt_len": 1})", "ids");
  expect_error("e.jsonl", "{\"ids\": [1, 2]", "invalid JSON");
  expect_error("f.jsonl", R"({"ids": [1, 2]})", "prompt_len");
  expect_error("g.jsonl", "", "no traces");
  expect_error("h.txt", "", "must be a .safetensors or .jsonl");
  expect_error("i.safetensors", "short", "truncated");

  std::vector<Trace> nan(1);
  nan[0] = {"n", "all", {1, 2}, 1, {0, NAN}, {0, 1}};
  EXPECT_THROW(write_traces(dir / "n.safetensors", nan, Json::object()), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "n.safetensors"));
}

TEST(PolicyGrid, ExpandsAndRefusesBadLists) {
  const auto runs = policy_grid("full,h2o,streaming", "256,512", 128, "");
  ASSERT_EQ(runs.size(), 5u);
  EXPECT_EQ(run_label(runs[0]), "full");
  EXPECT_FALSE(runs[0].impl);
  EXPECT_EQ(run_label(runs[2]), "h2o@512");
  EXPECT_EQ(runs[3].schedule.sinks, 4);
  EXPECT_EQ(policy_grid("h2o", "256", 128, "2")[0].schedule.sinks, 2);
  EXPECT_TRUE(policy_grid("h2o", "256", 128, "prompt")[0].schedule.protect_prompt);
  EXPECT_THROW(policy_grid("h2o", "256", 128, "most"), Error);
  const auto both = policy_grid("streaming,streaming+prompt", "256", 128, "");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].schedule.sinks, 4);
  EXPECT_FALSE(both[0].schedule.protect_prompt);
  EXPECT_TRUE(both[1].schedule.protect_prompt);
  EXPECT_EQ(run_label(both[1]), "streaming+prompt@256");
  EXPECT_THROW(policy_grid("full+prompt", "256", 128, ""), Error);
  for (auto [policies, budgets] : {std::pair{"h2o", ""},
                                   {"h2o", "1x"},
                                   {"h2o", "0"},
                                   {"h2o", "64"},
                                   {"h2o,h2o", "256"},
                                   {"h2o", "256,,512"},
                                   {"lru", "256"}})
    EXPECT_THROW(policy_grid(policies, budgets, 128, ""), Error) << policies << " " << budgets;
}

TEST_F(FidelityTest, ScoreCommandWritesSummaryAndPerTokenArrays) {
  {
    std::ofstream out(dir / "t.jsonl");
    for (int i = 0; i < 3; ++i) {
      Json line{{"ids", test::pattern_tokens(80 + 7 * i, model->config().vocab, i)},
                {"prompt_len", 10}};
      out << line.dump() << "\n";
    }
  }
  const std::string base = test::cli() + " score --model " + dir.path().string() + " --traces " +
                           (dir / "t.jsonl").string() + " --evict-every 16 ";
  const auto r = test::run_command(base + "--policy full,h2o,snapkv --budget 32,48 --json " +
                                   (dir / "s.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| snapkv | 48 | 16 |"), std::string::npos) << r.output;
  const Json s = read_json_file(dir / "s.json");
  ASSERT_EQ(s["summary"].size(), 5u);
  EXPECT_EQ(s["summary"][0]["loss_ratio"], 1.0);
  EXPECT_GT(s["summary"][1]["loss_ratio"].get<double>(), 0.5);
  ASSERT_EQ(s["traces"].size(), 3u);
  EXPECT_EQ(s["traces"][1]["full_ce"].size(), 87u - 10u);
  EXPECT_EQ(s["traces"][1]["runs"]["h2o@32"]["ce"].size(), 87u - 10u);

  for (const auto& [args, needle] :
       {std::pair<std::string, std::string>{"--policy h2o --budget 8", "--budget"},
        {"--policy foo --budget 32", "--policy"},
        {"--policy h2o --budget 32 --bogus 1", "--bogus"}}) {
    const auto bad = test::run_command(base + args);
    EXPECT_NE(bad.exit_code, 0) << args;
    EXPECT_NE(bad.output.find(needle), std::string::npos) << args << ": " << bad.output;
  }
  const auto missing = test::run_command(test::cli() + " score --model " + dir.path().string() +
                                         " --traces " + (dir / "none.jsonl").string());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("none.jsonl"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace foresight
