// Training runs killed with SIGKILL at random moments and resumed: the trainers (train-lm,
// train-judge --stage sl and rl) run as child processes and are killed several times in a row
// after seeded random delays, with `--resume` in between whenever a checkpoint exists. After
// every kill the last checkpoint must load, and the run resumed to its end must write the same
// weights and the same log (timings aside) as an uninterrupted run.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "core/rng.hpp"
#include "core/safetensors.hpp"
#include "judge/judge_file.hpp"
#include "lm/checkpoint.hpp"
#include "lm/train_config.hpp"
#include "model/random_model.hpp"
#include "test_util.hpp"

extern char** environ;

namespace foresight {
namespace {

using Clock = std::chrono::steady_clock;
using Args = std::vector<std::string>;

// Starts the CLI with `args`, its stdout and stderr appended to `output`.
pid_t launch(const Args& args, const std::filesystem::path& output) {
  std::vector<std::string> all = {test::cli()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (rc != 0) throw std::runtime_error("cannot start " + all[0]);
  return pid;
}

// Waits for the child, polling `kill_now` every millisecond: when it says so, the child is
// killed with SIGKILL. Returns the wait status.
int wait_or_kill(pid_t pid, const std::function<bool()>& kill_now) {
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (kill_now()) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return status;
}

bool finished(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
bool killed(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string output_of(const std::filesystem::path& output) {
  std::ifstream in(output);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A training command and how the test reads its checkpoint: `checkpoint` is the file whose
// existence means there is one, `checkpoint_step` loads it (failing the test if it does not
// load) and returns its step.
struct KillableRun {
  Args args;  // without --resume
  std::filesystem::path checkpoint;
  std::function<int64_t()> checkpoint_step;
};

// Seconds from the start of a run until its first checkpoint, and until its end.
struct RunTimes {
  double first_checkpoint = -1, end = 0;
};

// Runs to the end without interruption.
RunTimes run_straight(const KillableRun& run, const std::filesystem::path& output) {
  RunTimes t;
  const auto start = Clock::now();
  const int status = wait_or_kill(launch(run.args, output), [&] {
    if (t.first_checkpoint < 0 && std::filesystem::exists(run.checkpoint))
      t.first_checkpoint = seconds_since(start);
    return false;
  });
  EXPECT_TRUE(finished(status)) << output_of(output);
  t.end = seconds_since(start);
  return t;
}

// Starts the run up to `kills` + 1 times, with --resume whenever a checkpoint exists, and
// kills each start but the last with SIGKILL once it has written a checkpoint of its own, after
// a further delay drawn uniformly from the first half of the uninterrupted run after its first
// checkpoint (so every killed start leaves a checkpoint to resume from, whatever the machine's
// load, and the kill lands anywhere, a checkpoint write included), unless the run ends first.
// After every kill the checkpoint must load and be no older than before. Returns how many
// starts resumed from a checkpoint.
int run_through_kills(const KillableRun& run, int kills, const RunTimes& times, uint64_t seed,
                      const std::filesystem::path& output) {
  Rng rng(seed);
  // A new checkpoint replaces the file (written aside and renamed), so its time changes.
  const auto written = [&] {
    std::error_code missing;
    return std::filesystem::last_write_time(run.checkpoint, missing);
  };
  int resumed = 0;
  int64_t step = -1;
  for (int k = 0; k <= kills; ++k) {
    Args args = run.args;
    if (step >= 0) args.push_back("--resume"), ++resumed;
    const double delay = rng.uniform() * (times.end - times.first_checkpoint) / 2;
    const auto before = written();
    const auto start = Clock::now();
    double kill_at = -1;
    const int status = wait_or_kill(launch(args, output), [&] {
      if (k == kills) return false;
      if (kill_at < 0 && written() != before) kill_at = seconds_since(start) + delay;
      return kill_at >= 0 && seconds_since(start) >= kill_at;
    });
    if (!killed(status)) {  // ended on its own: it must have finished
      EXPECT_TRUE(finished(status)) << output_of(output);
      return resumed;
    }
    const int64_t now = run.checkpoint_step();
    EXPECT_GE(now, step) << "a kill lost a checkpoint";
    step = now;
  }
  ADD_FAILURE() << "the run did not finish after the last kill";
  return resumed;
}

constexpr int kKills = 4;

// An LM checkpoint, loaded as the trainer loads it.
struct LmCheckpoint {
  LmParameters params;
  AdamW optimizer;
  TrainState state;

  LmCheckpoint(const std::filesystem::path& dir, const TrainConfig& config)
      : params(init_parameters(config.model.model_config(), 0, 0)),
        optimizer(make_adamw(params.layout, config.adamw)) {
    load_checkpoint(dir, params, optimizer, state);
  }
};

TEST(KillResume, TrainLm) {
  test::TempDir dir;
  test::write_lm_traces(dir / "train.jsonl", 40);
  test::write_lm_traces(dir / "heldout.jsonl", 4);
  Json config = test::tiny_lm_config(24);
  config["log_every"] = 3;
  config["checkpoint_every"] = 2;  // kills land between log lines and between checkpoints
  config["eval"] = {{"heldout", "heldout.jsonl"}, {"every", 5}};
  std::ofstream(dir / "config.json") << config.dump();
  const TrainConfig parsed = load_train_config(dir / "config.json");
  const auto run = [&](const std::string& out) {
    return KillableRun{
        {"train-lm", "--config", (dir / "config.json").string(), "--out", (dir / out).string()},
        dir / out / "checkpoint" / "state.json",
        [&, out] {
          Model::load(dir / out / "model");  // rewritten with every checkpoint
          return LmCheckpoint(dir / out / "checkpoint", parsed).state.step;
        }};
  };
  const RunTimes times = run_straight(run("straight"), dir / "straight.txt");
  const int resumed = run_through_kills(run("killed"), kKills, times, 11, dir / "killed.txt");
  EXPECT_GT(resumed, 0) << output_of(dir / "killed.txt");

  const LmCheckpoint a(dir / "straight" / "checkpoint", parsed),
      b(dir / "killed" / "checkpoint", parsed);
  EXPECT_EQ(b.state.step, 24);
  EXPECT_EQ(a.params.values, b.params.values);
  EXPECT_EQ(a.optimizer.m(), b.optimizer.m());
  EXPECT_EQ(a.optimizer.v(), b.optimizer.v());
  const auto log_a = test::read_jsonl(dir / "straight" / "train_log.jsonl"),
             log_b = test::read_jsonl(dir / "killed" / "train_log.jsonl");
  ASSERT_EQ(log_a.size(), log_b.size());
  for (size_t i = 0; i < log_a.size(); ++i)
    EXPECT_EQ(test::without_clock(log_a[i]), test::without_clock(log_b[i])) << i;
}

// A judge trainer's checkpoint, read tensor by tensor as the trainer reads it.
struct JudgeCheckpoint {
  std::vector<float> params, adam_m, adam_v;
  int64_t step = -1;

  JudgeCheckpoint(const std::filesystem::path& path, int64_t parameters)
      : params(size_t(parameters)), adam_m(params.size()), adam_v(params.size()) {
    const SafetensorsFile file(path);
    read_flat_f32(file, "params", params);
    read_flat_f32(file, "adam_m", adam_m);
    read_flat_f32(file, "adam_v", adam_v);
    step = Json::parse(file.metadata().at("state")).at("step").get<int64_t>();
  }
};

// Kills and resumes `train-judge` with the stage's arguments on the tiny random model, and
// compares the result with an uninterrupted run.
void kill_judge_training(const Args& stage, uint64_t seed) {
  test::TempDir dir;
  write_random_model(dir / "model", RandomModelSpec{});
  const ModelConfig config = Model::load(dir / "model")->config();
  const int64_t parameters = JudgeShape::of(config).parameters();
  {
    std::ofstream out(dir / "traces.jsonl");
    for (int i = 0; i < 4; ++i)
      out << Json{{"ids", test::pattern_tokens(70 + 6 * i, config.vocab, i)}, {"prompt_len", 4}}
          << "\n";
  }
  write_judge(dir / "init.safetensors", Judge::random(JudgeShape::of(config), 3));
  const auto run = [&](const std::string& out) {
    Args args = {"train-judge",
                 "--model",
                 (dir / "model").string(),
                 "--traces",
                 (dir / "traces.jsonl").string(),
                 "--heldout",
                 (dir / "traces.jsonl").string(),
                 "--heldout-limit",
                 "1",
                 "--budget",
                 "24",
                 "--evict-every",
                 "8",
                 "--traces-per-step",
                 "2",
                 "--eval-every",
                 "5",
                 "--checkpoint-every",
                 "2",
                 "--init",
                 (dir / "init.safetensors").string(),
                 "--out",
                 (dir / out).string()};
    args.insert(args.end(), stage.begin(), stage.end());
    const auto checkpoint = dir / (out + ".train") / "checkpoint.safetensors";
    return KillableRun{args, checkpoint,
                       [=] { return JudgeCheckpoint(checkpoint, parameters).step; }};
  };
  const RunTimes times = run_straight(run("straight"), dir / "straight.txt");
  const int resumed = run_through_kills(run("killed"), kKills, times, seed, dir / "killed.txt");
  EXPECT_GT(resumed, 0) << output_of(dir / "killed.txt");

  const Judge a = read_judge(dir / "straight"), b = read_judge(dir / "killed");
  EXPECT_TRUE(std::ranges::equal(a.parameters(), b.parameters()));
  const JudgeCheckpoint ca(dir / "straight.train" / "checkpoint.safetensors", parameters),
      cb(dir / "killed.train" / "checkpoint.safetensors", parameters);
  EXPECT_EQ(ca.adam_m, cb.adam_m);
  EXPECT_EQ(ca.adam_v, cb.adam_v);
  EXPECT_EQ(test::read_jsonl(dir / "straight.train" / "train_log.jsonl"),
            test::read_jsonl(dir / "killed.train" / "train_log.jsonl"));
}

TEST(KillResume, TrainJudgeSupervised) {
  kill_judge_training({"--stage", "sl", "--steps", "16", "--warmup", "2"}, 12);
}

TEST(KillResume, TrainJudgeRl) {
  kill_judge_training({"--stage", "rl", "--steps", "8", "--group", "2", "--epochs", "2", "--reward",
                       "all", "--kl-steps", "4"},
                      13);
}

}  // namespace
}  // namespace foresight
