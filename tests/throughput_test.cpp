// `foresight throughput`: the largest batch under the cap, the table and JSON rows, and
// refusals of bad options; `--kv-memory` of eval too.
#include <gtest/gtest.h>

#include "core/json_file.hpp"
#include "engine/transformer.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

// The benchmark fills caches to the size the schedule gives them; so does running the tokens.
class ScheduleEntries : public test::TinyModelTest {};

TEST_F(ScheduleEntries, MatchWhatRunningTheTokensLeaves) {
  const ModelConfig& c = model->config();
  for (const EvictionSchedule schedule :
       {EvictionSchedule{0, 8, 0}, EvictionSchedule{24, 8, 0}, EvictionSchedule{20, 8, 4}}) {
    Sequence seq(
        c, {.schedule = schedule, .policy = schedule.active() ? make_policy("h2o") : nullptr});
    const auto ids = test::pattern_tokens(70, c.vocab);
    for (int64_t position = 0; position < 70; ++position) {
      ASSERT_EQ(seq.cache().head(1, 0).count(), schedule.entries_before(position))
          << "B " << schedule.budget << ", position " << position;
      forward_chunk(*model, seq, std::span(&ids[position], 1), LogitsWanted::Last);
    }
  }
}

TEST(ThroughputCommand, BatchesThatFitTheCapWithTableAndJsonRows) {
  test::TempDir dir;
  const auto json = dir / "t.json";
  // The tiny model holds 512 KV bytes per token: 1M fits 32 full caches of 64 tokens, 8 of 256,
  // and 42 h2o caches of B + L = 48 entries at any length.
  const auto r = test::run_command(test::cli() +
                                   " throughput --random-params tiny --lengths 64,256"
                                   " --kv-memory 1M"
                                   " --policies full,h2o --budgets 32 --evict-every 16 --steps 1"
                                   " --warmup 0 --json " +
                                   json.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| length | policy | budget | max batch | tokens/s | speed-up |"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("| 256 | h2o | 32 | 42 |"), std::string::npos) << r.output;
  const Json doc = read_json_file(json);
  EXPECT_EQ(doc["settings"]["kv_memory"], 1 << 20);
  const Json& rows = doc["rows"];
  ASSERT_EQ(rows.size(), 4u);
  const int expected_batch[4] = {32, 42, 8, 42};
  for (size_t i = 0; i < 4; ++i) {
    const Json& row = rows[i];
    for (const char* key : {"policy", "budget", "length", "max_batch", "tokens_per_s", "speedup"})
      EXPECT_TRUE(row.contains(key)) << key;
    EXPECT_EQ(row["length"], i < 2 ? 64 : 256);
    EXPECT_EQ(row["policy"], i % 2 == 0 ? "full" : "h2o");
    EXPECT_EQ(row["budget"].is_null(), i % 2 == 0);
    EXPECT_EQ(row["max_batch"], expected_batch[i]) << i;
    EXPECT_GT(row["tokens_per_s"].get<double>(), 0);
    if (i % 2 == 0) {
      EXPECT_EQ(row["speedup"], 1.0);
    }
  }
}

TEST(ThroughputCommand, BadOptionsNameTheOption) {
  const std::string base = test::cli() + " throughput --steps 1 --warmup 0 --evict-every 16 ";
  for (const auto& [args, needle] :
       {// One full cache of 256 tokens needs 128K.
        std::pair<std::string, std::string>{"--random-params tiny --lengths 256 --kv-memory 100K",
                                            "--kv-memory"},
        {"--random-params tiny --lengths 64 --kv-memory lots", "--kv-memory"},
        {"--random-params tiny --lengths 64 --kv-memory 0", "--kv-memory"},
        {"--random-params tiny --lengths 64 --policies full,nope --budgets 32", "--policies"},
        {"--random-params tiny --lengths 64 --policies h2o --budgets 32", "--policies"},
        {"--random-params tiny --lengths 64 --policies full,h2o --budgets 4", "--budget"},
        {"--random-params tiny --lengths 64,x", "--lengths"},
        {"--random-params tiny --lengths 1", "--lengths"},
        {"--random-params huge --lengths 64", "--random-params"},
        {"--lengths 64", "--model"}}) {
    const auto r = test::run_command(base + args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_NE(r.output.find(needle), std::string::npos) << args << ": " << r.output;
  }
}

TEST(KvMemoryOption, EvalRefusesACapThatHoldsNoSequence) {
  test::TempDir dir;
  const auto model = test::run_command(test::cli() + " random-model --out " + (dir / "m").string());
  ASSERT_EQ(model.exit_code, 0) << model.output;
  ASSERT_EQ(test::run_command(test::cli() + " tasks --family carry --n 2 --out " +
                              (dir / "d.jsonl").string())
                .exit_code,
            0);
  const std::string base = test::cli() + " eval --model " + (dir / "m").string() + " --dataset " +
                           (dir / "d.jsonl").string() + " --max-new-tokens 8 ";
  for (const char* cap : {"1000", "2X"}) {
    const auto r = test::run_command(base + "--kv-memory " + cap);
    EXPECT_NE(r.exit_code, 0) << cap;
    EXPECT_NE(r.output.find("--kv-memory"), std::string::npos) << cap << ": " << r.output;
  }
}

}  // namespace
}  // namespace foresight
