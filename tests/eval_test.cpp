// The evaluation harness and trace generation end to end, on a model whose output is known in
// advance: every layer adds nothing to the residual stream and the head maps each token to a
// chosen successor, so greedy generation follows a fixed chain whatever the cache keeps.
#include <cstring>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "core/json_file.hpp"
#include "core/safetensors.hpp"
#include "eval/report.hpp"
#include "eval/trace.hpp"
#include "model/random_model.hpp"
#include "tasks/dataset.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

constexpr int32_t kEndOfText = 256;  // the byte-level tokenizer's <|endoftext|>

// A tiny untied Qwen3 whose attention and MLP outputs are zero and whose head row for
// successor[v] is 3 * embedding[v]: the logits of token v peak at its successor by a wide margin.
void write_successor_model(const std::filesystem::path& dir,
                           const std::map<int32_t, int32_t>& successor) {
  write_random_model(dir, RandomModelSpec{});
  std::map<std::string, std::vector<float>> weights;
  std::vector<TensorToWrite> tensors;
  {
    const SafetensorsFile file(dir / "model.safetensors");
    for (const auto& [name, t] : file.tensors()) {
      auto& w = weights[name];
      w.resize(size_t(t.numel()));
      std::memcpy(w.data(), t.data, t.bytes);
      tensors.push_back({name, DType::F32, t.shape, nullptr});
    }
  }
  for (auto& [name, w] : weights)
    if (name.ends_with("o_proj.weight") || name.ends_with("down_proj.weight"))
      std::fill(w.begin(), w.end(), 0.0f);
  std::fill(weights["model.norm.weight"].begin(), weights["model.norm.weight"].end(), 1.0f);
  const auto& embed = weights["model.embed_tokens.weight"];
  auto& head = weights["lm_head.weight"];
  const size_t hidden = weights["model.norm.weight"].size();
  std::fill(head.begin(), head.end(), 0.0f);
  for (const auto& [from, to] : successor)
    for (size_t i = 0; i < hidden; ++i) head[to * hidden + i] += 3 * embed[from * hidden + i];
  for (auto& t : tensors) t.data = weights[t.name].data();
  write_safetensors(dir / "model.safetensors", tensors);
}

// Greedy output after a prompt ending in '?': "answer: 7\n", then <|endoftext|>.
std::map<int32_t, int32_t> answer_chain() {
  const std::string chain = "?answer: 7\n";
  std::map<int32_t, int32_t> next;
  for (size_t i = 0; i + 1 < chain.size(); ++i) next[uint8_t(chain[i])] = uint8_t(chain[i + 1]);
  next['\n'] = kEndOfText;
  return next;
}

class EvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_successor_model(dir / "model", answer_chain());
    // Two problems answered by the chain ("7"), one not ("8"), in two groups.
    const std::vector<TaskProblem> problems = {{"a", "easy", "what is 3+4?", "", "7"},
                                               {"b", "easy", "and 2+5?", "", "7"},
                                               {"c", "hard", "what is 4+4?", "", "8"}};
    write_dataset(dir / "d.jsonl", problems);
  }
  std::string model() const { return (dir / "model").string(); }
  test::TempDir dir;
};

TEST_F(EvalTest, AccuracyPerPolicyBudgetAndGroup) {
  const auto r = test::run_command(test::cli() + " eval --model " + model() + " --dataset " +
                                   (dir / "d.jsonl").string() +
                                   " --policies full,h2o,streaming --budgets 20,40 --evict-every 8"
                                   " --samples 2 --temperature 0.5 --seed 9 --out " +
                                   (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| h2o | — | 66.7% | 66.7% |"), std::string::npos) << r.output;

  const auto rows = read_results_json(dir / "out" / "results.json");
  ASSERT_EQ(rows.size(), 5u * 3u);  // (full + 2 policies x 2 budgets) x (all, easy, hard)
  for (const ResultRow& row : rows) {
    const double expected = row.group == "all" ? 2.0 / 3 : row.group == "easy" ? 1.0 : 0.0;
    EXPECT_NEAR(row.accuracy, expected, 1e-12) << row.policy << " " << row.group;
    EXPECT_EQ(row.n_problems, row.group == "all" ? 3 : row.group == "easy" ? 2 : 1);
    EXPECT_EQ(row.n_samples, 2);
  }
  const Json doc = read_json_file(dir / "out" / "results.json");
  EXPECT_EQ(doc["settings"]["seed"], 9);
  EXPECT_EQ(doc["settings"]["samples"], 2);
  EXPECT_EQ(doc["settings"]["windows"]["h2o@20"]["recent"], "8");  // L: the policy's default
  EXPECT_EQ(doc["settings"]["windows"]["streaming@40"]["sinks"], "4");
  for (const char* file : {"results.csv", "results.md", "accuracy.svg", "samples.jsonl"})
    EXPECT_TRUE(std::filesystem::exists(dir / "out" / file)) << file;
  std::ifstream samples(dir / "out" / "samples.jsonl");
  std::string line;
  int n = 0;
  for (; std::getline(samples, line); ++n) {
    const Json s = Json::parse(line);
    EXPECT_EQ(s["output"], "answer: 7\n");  // stopped at the answer line, before <|endoftext|>
    EXPECT_TRUE(s["stopped"].get<bool>());
  }
  EXPECT_EQ(n, 5 * 3 * 2);
}

// train-judge --heldout-tasks: the judge being trained solves the problems at every held-out
// evaluation (before the first step and after the last); the chain answers "7" under any cache.
TEST_F(EvalTest, TrainJudgeLogsTheJudgesAccuracyOnHeldoutTasks) {
  {
    std::ofstream out(dir / "t.jsonl");
    for (int i = 0; i < 2; ++i)
      out << Json{{"ids", test::pattern_tokens(60 + 4 * i, 256, 3 + i)}, {"prompt_len", 4}}.dump()
          << "\n";
  }
  const auto r =
      test::run_command(test::cli() + " train-judge --stage sl --model " + model() + " --traces " +
                        (dir / "t.jsonl").string() +
                        " --budget 20 --evict-every 8 --steps 2 --traces-per-step 1 "
                        "--heldout-tasks " +
                        (dir / "d.jsonl").string() + " --out " + (dir / "j.safetensors").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("held-out accuracy all 66.7% easy 100.0% hard 0.0%"), std::string::npos)
      << r.output;
  std::ifstream log(dir / "j.safetensors.train" / "train_log.jsonl");
  std::vector<int64_t> steps;
  for (std::string line; std::getline(log, line);) {
    const Json j = Json::parse(line);
    if (j.value("eval", "") != "tasks") continue;
    steps.push_back(j["step"]);
    EXPECT_NEAR(j["accuracy"].get<double>(), 2.0 / 3, 1e-12);
    EXPECT_EQ(j["accuracy_easy"].get<double>(), 1.0);
    EXPECT_EQ(j["accuracy_hard"].get<double>(), 0.0);
  }
  EXPECT_EQ(steps, (std::vector<int64_t>{0, 2}));
  const auto missing = test::run_command(
      test::cli() + " train-judge --stage sl --model " + model() + " --traces " +
      (dir / "t.jsonl").string() + " --budget 20 --steps 1 --heldout-tasks " +
      (dir / "none.jsonl").string() + " --out " + (dir / "k.safetensors").string());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("none.jsonl"), std::string::npos) << missing.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "k.safetensors"));
}

TEST_F(EvalTest, BadOptionsAreRefusedWithoutAReport) {
  const std::string base = test::cli() + " eval --model " + model() + " --dataset " +
                           (dir / "d.jsonl").string() + " --out " + (dir / "bad").string() + " ";
  for (const auto& [args, needle] :
       {std::pair<std::string, std::string>{"--policies h2o", "--budgets"},
        {"--policies h2o --budgets 4", "--budget"},
        {"--policies nope --budgets 256", "--policies"},
        {"--samples 0", "--samples"},
        {"--grader exact", "--grader"},
        {"--top-p 2", "top-p"}}) {
    const auto r = test::run_command(base + args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_NE(r.output.find(needle), std::string::npos) << args << ": " << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "bad"));
  const auto missing = test::run_command(test::cli() + " eval --model " + model() + " --dataset " +
                                         (dir / "none.jsonl").string());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("none.jsonl"), std::string::npos) << missing.output;
}

TEST_F(EvalTest, TracesHoldPromptContinuationAndReferenceLosses) {
  const auto out = dir / "t.safetensors";
  const auto r = test::run_command(test::cli() + " traces --model " + model() + " --dataset " +
                                   (dir / "d.jsonl").string() + " --out " + out.string() +
                                   " --seed 4 --max-new-tokens 50");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto traces = read_traces(out, 261);
  ASSERT_EQ(traces.size(), 3u);
  EXPECT_EQ(traces[0].id, "a");
  EXPECT_EQ(traces[2].group, "hard");
  const std::string prompt = "what is 3+4?", continuation = "answer: 7\n";
  ASSERT_EQ(traces[0].ids.size(), prompt.size() + continuation.size() + 1);
  EXPECT_EQ(traces[0].prompt_len, int(prompt.size()));
  EXPECT_EQ(traces[0].ids.back(), kEndOfText);
  for (size_t i = 0; i < continuation.size(); ++i)
    EXPECT_EQ(traces[0].ids[prompt.size() + i], uint8_t(continuation[i]));
  // The chain is certain: every continuation token costs almost nothing.
  for (size_t i = size_t(traces[0].prompt_len); i < traces[0].ids.size(); ++i)
    EXPECT_LT(traces[0].ce[i], 1e-3) << i;
  EXPECT_EQ(read_trace_settings(out)["seed"], 4);

  const auto bad =
      test::run_command(test::cli() + " traces --model " + model() + " --dataset " +
                        (dir / "d.jsonl").string() + " --out " + (dir / "t.bin").string());
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("--out"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace foresight
