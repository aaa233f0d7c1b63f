// Commands across the ranks of an mpirun (src/dist/cluster.hpp): two ranks write byte for byte
// the traces, scores and judges (both stages) that one process writes, and grade the same samples;
// a rank that fails ends the job with its error and a non-zero exit, writing nothing; a killed
// rank leaves a checkpoint that resumes. Skipped without MPI or where mpirun is missing.
#include <algorithm>
#include <fstream>
#include <functional>
#include <iterator>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "dist/cluster.hpp"
#include "dist/deal.hpp"
#include "judge/judge_file.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

std::string bytes_of(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The lines of the Markdown tables a command printed (its progress lines differ).
std::string tables(const std::string& output) {
  std::string out;
  for (size_t at = 0; at < output.size();) {
    const size_t end = std::min(output.find('\n', at), output.size());
    if (output[at] == '|') out += output.substr(at, end - at + 1);
    at = end + 1;
  }
  return out;
}

class MpiTest : public test::TinyModelTest {
 protected:
  void SetUp() override {
    if (!Cluster::built_with_mpi()) GTEST_SKIP() << "built without MPI (FORESIGHT_MPI=OFF)";
    if (test::run_command("command -v mpirun").exit_code != 0)
      GTEST_SKIP() << "mpirun is missing (scripts/setup.sh --test installs openmpi-bin)";
    // A machine where Open MPI cannot start two processes at all (no shared memory, say).
    const auto probe = test::run_command(launcher(2) + "true");
    if (probe.exit_code != 0) GTEST_SKIP() << "mpirun cannot start 2 ranks here: " << probe.output;
    TinyModelTest::SetUp();
    const auto tasks = test::run_command(test::cli() + " tasks --family program,walk --n 5 " +
                                         "--seed 5 --out " + (dir / "tasks.jsonl").string());
    ASSERT_EQ(tasks.exit_code, 0) << tasks.output;
  }
  // `foresight ARGS` as one process (ranks = 0) or under mpirun with that many ranks; root may
  // run it (CI does) and two ranks may share a core.
  test::CommandResult foresight(int ranks, const std::string& args) const {
    return test::run_command((ranks == 0 ? "" : launcher(ranks)) + test::cli() + " " + args);
  }
  static std::string launcher(int ranks) {
    return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np " +
           std::to_string(ranks) + " --oversubscribe ";
  }
  // The command `args(name)` as one process, writing PREFIX + "one" + ENDING, then across two
  // ranks (PREFIX + "two" + ENDING); both must succeed.
  void run_both(const std::function<std::string(const std::string&)>& args,
                const std::string& prefix, const std::string& ending, test::CommandResult& one,
                test::CommandResult& two) const {
    one = foresight(0, args(prefix + "one" + ending));
    ASSERT_EQ(one.exit_code, 0) << one.output;
    two = foresight(2, args(prefix + "two" + ending));
    ASSERT_EQ(two.exit_code, 0) << two.output;
  }
  // COMMAND on the tiny model and traces.safetensors.
  std::string on_traces(const std::string& command) const {
    return command + " --model " + dir.path().string() + " --traces " +
           (dir / "traces.safetensors").string();
  }
  // traces.safetensors, the traces of the tasks, as one process writes them.
  void make_traces() const {
    const auto traces = foresight(0, traces_args("tasks.jsonl", "traces.safetensors"));
    ASSERT_EQ(traces.exit_code, 0) << traces.output;
  }
  std::string traces_args(const std::string& dataset, const std::string& out) const {
    return "traces --model " + dir.path().string() + " --dataset " + (dir / dataset).string() +
           " --max-new-tokens 48 --seed 3 --out " + (dir / out).string();
  }
};

// The deal of judge training's traces (no MPI needed): longest first to the rank with the least
// work, ties to the lower rank, so that equal costs are dealt in turn.
TEST(DealByCost, LongestFirstToTheLightestRank) {
  const std::vector<int64_t> costs = {5, 9, 2, 7, 3};
  EXPECT_EQ(deal_by_cost(costs, 2), (std::vector<int>{1, 0, 0, 1, 0}));  // loads 14 and 12
  EXPECT_EQ(deal_by_cost(costs, 1), (std::vector<int>(5, 0)));
  EXPECT_EQ(deal_by_cost(std::vector<int64_t>(4, 4), 2), (std::vector<int>{0, 1, 0, 1}));
  EXPECT_EQ(deal_by_cost(costs, 8), (std::vector<int>{2, 0, 4, 1, 3}));
  EXPECT_THROW(deal_by_cost(costs, 0), Error);
}

TEST_F(MpiTest, TracesOfTwoRanksAreThoseOfOneProcess) {
  const auto one = foresight(0, traces_args("tasks.jsonl", "one.safetensors"));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto two = foresight(2, traces_args("tasks.jsonl", "two.safetensors"));
  ASSERT_EQ(two.exit_code, 0) << two.output;
  // Rank 0's bars count the whole job: their last lines give the totals one process gives.
  const auto last_count = [](const std::string& output, const std::string& bar) {
    const size_t at = output.rfind(bar + " [");
    const size_t from = output.find("] ", at) + 2;
    return output.substr(from, output.find(' ', from) - from);
  };
  for (const std::string bar : {"traces", "reference losses"}) {
    EXPECT_EQ(last_count(one.output, bar), last_count(two.output, bar)) << two.output;
    EXPECT_NE(last_count(one.output, bar).find('/'), std::string::npos) << one.output;
  }
  const std::string a = bytes_of(dir / "one.safetensors"), b = bytes_of(dir / "two.safetensors");
  EXPECT_GT(a.size(), 1000u);
  EXPECT_TRUE(a == b) << "2 ranks wrote another file than 1 process";
  // Three ranks for five traces: shares of unequal size.
  const auto three = foresight(3, traces_args("tasks.jsonl", "three.safetensors"));
  ASSERT_EQ(three.exit_code, 0) << three.output;
  EXPECT_TRUE(bytes_of(dir / "three.safetensors") == a);
}

TEST_F(MpiTest, EvalOfTwoRanksGradesTheSameSamples) {
  const auto args = [&](const std::string& out) {
    return "eval --model " + dir.path().string() + " --dataset " + (dir / "tasks.jsonl").string() +
           " --policies full,h2o,tova --budgets 40 --evict-every 8 --max-new-tokens 40 " +
           "--temperature 0.8 --seed 7 --out " + (dir / out).string();
  };
  test::CommandResult one, two;
  run_both(args, "", "", one, two);
  ASSERT_FALSE(HasFatalFailure());
  const std::string samples = bytes_of(dir / "one" / "samples.jsonl");
  EXPECT_EQ(std::count(samples.begin(), samples.end(), '\n'), 15);  // 3 runs x 5 problems
  EXPECT_TRUE(samples == bytes_of(dir / "two" / "samples.jsonl"));
  EXPECT_NE(tables(one.output).find("| h2o"), std::string::npos) << one.output;
  EXPECT_EQ(tables(one.output), tables(two.output));
}

TEST_F(MpiTest, ScoreOfTwoRanksIsThatOfOneProcess) {
  make_traces();
  ASSERT_FALSE(HasFatalFailure());
  const auto args = [&](const std::string& json) {
    return on_traces("score") +
           " --policy h2o,golden,random --budget 24 --evict-every 8 --seed 4 --json " +
           (dir / json).string();
  };
  test::CommandResult one, two;
  run_both(args, "", ".json", one, two);
  ASSERT_FALSE(HasFatalFailure());
  const std::string a = bytes_of(dir / "one.json");
  EXPECT_NE(a.find("\"golden\""), std::string::npos);
  EXPECT_TRUE(a == bytes_of(dir / "two.json"));
  EXPECT_EQ(tables(one.output), tables(two.output));
}

// Both training stages: each step's traces shared by the ranks, rank 0 summing the gradients in
// trace order (the clipped norm too), so two ranks train the same judges as one process, bit
// for bit, and log the same.
TEST_F(MpiTest, JudgesOfTwoRanksAreThoseOfOneProcess) {
  make_traces();
  ASSERT_FALSE(HasFatalFailure());
  const auto args = [&](const std::string& out) {
    return on_traces("train-judge --stage sl") + " --heldout " +
           (dir / "traces.safetensors").string() + " --heldout-tasks " +
           (dir / "tasks.jsonl").string() +
           " --max-new-tokens 48 --budget 24 --budgets 16,24 --evict-every 8 --steps 4 " +
           "--traces-per-step 3 --own-path 0.34 --eval-every 2 --clip 0.03 --seed 2 --out " +
           (dir / out).string();
  };
  test::CommandResult one, two;
  run_both(args, "", ".safetensors", one, two);
  ASSERT_FALSE(HasFatalFailure());
  const Judge a = read_judge(dir / "one.safetensors"), b = read_judge(dir / "two.safetensors");
  EXPECT_TRUE(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin(),
                         b.parameters().end()));
  // The logs too.
  const auto log = [&](const std::string& out) {
    std::ifstream in(dir / (out + ".train") / "train_log.jsonl");
    std::vector<Json> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
    return lines;
  };
  const std::vector<Json> log_one = log("one.safetensors");
  EXPECT_GE(log_one.size(), 4u + 3 + 3);  // steps, held-out and task evaluations at 0, 2, 4
  EXPECT_EQ(log_one, log("two.safetensors"));

  // The RL stage from it: each rank runs the rollouts of its traces; the same judge and log.
  const auto rl_args = [&](const std::string& out) {
    return on_traces("train-judge --stage rl") + " --heldout " +
           (dir / "traces.safetensors").string() + " --init " + (dir / "one.safetensors").string() +
           " --budget 24 --evict-every 8 --steps 3 --traces-per-step 3 --group 3 --epochs 2 " +
           "--phi-scale 20 --eval-every 2 --clip 0.05 --seed 5 --out " + (dir / out).string();
  };
  run_both(rl_args, "rl_", ".safetensors", one, two);
  ASSERT_FALSE(HasFatalFailure());
  const Judge c = read_judge(dir / "rl_one.safetensors"),
              d = read_judge(dir / "rl_two.safetensors");
  EXPECT_FALSE(std::equal(a.parameters().begin(), a.parameters().end(), c.parameters().begin(),
                          c.parameters().end()));  // it moved
  EXPECT_TRUE(std::equal(c.parameters().begin(), c.parameters().end(), d.parameters().begin(),
                         d.parameters().end()));
  EXPECT_EQ(log("rl_one.safetensors"), log("rl_two.safetensors"));
}

// A rank killed mid-run (SIGKILL) ends the job with a non-zero exit; the last checkpoint,
// written by rank 0, resumes across the ranks to the judge an uninterrupted process trains.
TEST_F(MpiTest, AKilledRankEndsTheJobAndItsCheckpointResumes) {
  make_traces();
  ASSERT_FALSE(HasFatalFailure());
  const auto args = [&](const std::string& out) {
    return on_traces("train-judge --stage sl") +
           " --budget 24 --evict-every 8 --steps 120 --traces-per-step 3 --checkpoint-every 10 "
           "--seed 3 --out " +
           (dir / out).string();
  };
  const auto whole = foresight(0, args("whole.safetensors"));
  ASSERT_EQ(whole.exit_code, 0) << whole.output;
  // Once the first checkpoint is there, the newest rank of this job is killed (a rank's command
  // line starts with the CLI's path, mpirun's does not; this job's names its own output).
  const std::string checkpoint = (dir / "killed.safetensors.train" / "checkpoint.safetensors");
  const auto killed = test::run_command(
      "bash -c '" + launcher(2) + test::cli() + " " + args("killed.safetensors") +
      " & job=$!; "
      "until [ -f " +
      checkpoint +
      " ]; do sleep 0.01; done; "
      "pkill -KILL -n -f \"^" +
      test::cli() + " train-judge .*" + (dir / "killed").string() + "\"; wait $job'");
  EXPECT_NE(killed.exit_code, 0) << killed.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "killed.safetensors"));
  const auto resumed = foresight(2, args("killed.safetensors") + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resumed at step"), std::string::npos) << resumed.output;
  const Judge a = read_judge(dir / "whole.safetensors"), b = read_judge(dir / "killed.safetensors");
  EXPECT_TRUE(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin(),
                         b.parameters().end()));
}

TEST_F(MpiTest, AFailingRankEndsTheJobWithItsError) {
  const auto r = foresight(2, traces_args("missing.jsonl", "none.safetensors"));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("missing.jsonl"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("failed; ending the job"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "none.safetensors"));
}

}  // namespace
}  // namespace foresight
