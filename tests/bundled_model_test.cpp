// The bundled model (models/bundled) on problems of its benchmark's families and knobs but a
// seed of their own: it solves them with the whole cache, and walk and carry with `live` at
// the middle budget (program and lemmas not yet: scripts/train_bundled.sh, stage 11), and its
// positions reach past the benchmark's longest sequence by half again.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "core/json_file.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

const std::filesystem::path kModel = test::source_dir() / "models/bundled";

TEST(BundledModel, PositionsReachHalfAgainPastTheLongestBenchmarkSequence) {
  size_t longest = 0;  // byte-level tokens: one per byte, plus <|endoftext|>
  for (const Json& problem : test::read_jsonl(test::source_dir() / "benchmarks/tasks.jsonl"))
    longest = std::max(longest, problem.at("prompt").get<std::string>().size() +
                                    problem.at("trace").get<std::string>().size() + 1);
  const Json config = read_json_file(kModel / "config.json");
  EXPECT_GE(config.at("max_position_embeddings").get<double>(), 1.5 * double(longest));
}

TEST(BundledModel, SolvesFreshProblemsWithTheWholeCacheAndSomeWithLiveAtTheMiddleBudget) {
  test::TempDir dir;
  // Two problems of each family at the benchmark's knobs (the defaults), from a seed no
  // training or benchmark script uses.
  const auto tasks =
      test::run_command(test::cli() + " tasks --family program,walk,lemmas,carry --n 8 " +
                        "--seed 9203 --out " + (dir / "tasks.jsonl").string());
  ASSERT_EQ(tasks.exit_code, 0) << tasks.output;
  const auto eval = test::run_command(
      test::cli() + " eval --model " + kModel.string() + " --dataset " +
      (dir / "tasks.jsonl").string() +
      " --policies full,live --budgets 433 --evict-every 32 --max-new-tokens 4096 --out " +
      (dir / "report").string());
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  const Json report = read_json_file(dir / "report/results.json");
  int rows = 0;
  for (const Json& row : report.at("results")) {
    const std::string group = row.at("group");
    if (group == "all") continue;
    ++rows;
    if (row.at("policy") == "full" || group == "walk" || group == "carry") {
      EXPECT_EQ(row.at("accuracy").get<double>(), 1.0) << row.at("policy") << " on " << group;
    }
  }
  EXPECT_EQ(rows, 8);  // four families, two policies
}

}  // namespace
}  // namespace foresight
