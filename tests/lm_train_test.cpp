// The training loop end to end on a tiny model: the loss falls on a repetitive dataset, the
// model directory loads into the engine, a run resumed from a checkpoint ends bit for bit where
// the uninterrupted run does, evaluations run on schedule, and misuse of the output directory
// is refused. Also the train-lm command and its config errors.
#include <cmath>
#include <fstream>
#include <numeric>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "lm/trainer.hpp"
#include "model/model.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

TrainConfig parse(const Json& j, const test::TempDir& dir) {
  return parse_train_config(j, "config.json", dir.path());
}

RunOptions quiet(bool resume = false) {
  RunOptions o;
  o.resume = resume;
  o.log = nullptr;
  return o;
}

TEST(LmTrain, LossFallsAndTheModelLoadsInTheEngine) {
  test::TempDir dir;
  test::write_lm_traces(dir / "train.jsonl", 60);
  Trainer trainer(parse(test::tiny_lm_config(40), dir), dir / "out", quiet());
  EXPECT_EQ(trainer.run(), 40);
  const auto log = test::read_jsonl(dir / "out" / "train_log.jsonl");
  ASSERT_EQ(log.size(), 40u);
  const double first = log.front()["loss"], last = log.back()["loss"];
  EXPECT_GT(first, 4.5);  // about ln(261) at the start
  EXPECT_LT(last, 0.5 * first);
  EXPECT_GT(log.back()["tokens_per_second"].get<double>(), 0);
  auto model = Model::load(dir / "out" / "model");
  EXPECT_EQ(model->config().parameter_count(), trainer.parameters().layout.size());
  EXPECT_EQ(model->config().n_layers, 1);
}

TEST(LmTrain, ResumeContinuesExactly) {
  test::TempDir dir;
  test::write_lm_traces(dir / "train.jsonl", 30);
  Json config = test::tiny_lm_config(12);
  config["data"]["curriculum"] = {{"start_tokens", 14}, {"ramp_steps", 8}};
  config["log_every"] = 4;  // the split at step 6 falls inside a log line's steps
  Trainer straight(parse(config, dir), dir / "a", quiet());
  straight.run();
  {
    Trainer first_half(parse(config, dir), dir / "b", quiet());
    EXPECT_EQ(first_half.run(6), 6);
  }
  Trainer second_half(parse(config, dir), dir / "b", quiet(true));
  EXPECT_EQ(second_half.state().step, 6);
  EXPECT_EQ(second_half.run(), 12);
  EXPECT_EQ(second_half.parameters().values, straight.parameters().values);
  EXPECT_EQ(second_half.state().tokens_seen, straight.state().tokens_seen);
  const auto log_a = test::read_jsonl(dir / "a" / "train_log.jsonl"),
             log_b = test::read_jsonl(dir / "b" / "train_log.jsonl");
  ASSERT_EQ(log_a.size(), 3u);
  ASSERT_EQ(log_a.size(), log_b.size());
  for (size_t i = 0; i < log_a.size(); ++i)
    EXPECT_EQ(test::without_clock(log_a[i]), test::without_clock(log_b[i])) << i;
}

// Trains a model of `steps` steps on `traces` traces into dir/base; returns its parameters and
// sets `tuning` to a config that fine-tunes it for 2 steps.
LmParameters train_base(const test::TempDir& dir, int traces, int steps, Json& tuning) {
  test::write_lm_traces(dir / "train.jsonl", traces);
  Trainer base(parse(test::tiny_lm_config(steps), dir), dir / "base", quiet());
  base.run();
  tuning = test::tiny_lm_config(2);
  tuning["model"]["init"] = "base/model";
  return base.parameters();
}

// model.init starts from a trained model's weights (fine-tuning): the first logged loss is
// the trained model's, far below a fresh start's, and a model of another shape is refused.
TEST(LmTrain, FineTuningStartsFromAModelDirectory) {
  test::TempDir dir;
  Json config;
  const LmParameters base = train_base(dir, 60, 40, config);
  Trainer tuned(parse(config, dir), dir / "tuned", quiet());
  EXPECT_EQ(tuned.parameters().values, base.values);
  tuned.run();
  const double fresh = test::read_jsonl(dir / "base" / "train_log.jsonl").front()["loss"];
  const double started = test::read_jsonl(dir / "tuned" / "train_log.jsonl").front()["loss"];
  EXPECT_LT(started, 0.5 * fresh);

  config["model"]["hidden"] = 48;
  try {
    Trainer(parse(config, dir), dir / "other", quiet());
    ADD_FAILURE() << "a model of another shape was accepted";
  } catch (const Error& e) {
    const std::string what = e.what();
    for (const char* part :
         {"base/model/model.safetensors", "model.embed_tokens.weight", "F32 [261, 48]"})
      EXPECT_NE(what.find(part), std::string::npos) << what;
  }
}

// model.fresh_tokens redraws those tokens' embedding rows after the init model is read: new
// directions, as long as the other rows on average; every other weight is the init model's.
TEST(LmTrain, FreshTokensGetRowsOfTheirOwn) {
  test::TempDir dir;
  Json config;
  const LmParameters before = train_base(dir, 20, 4, config);
  config["model"]["fresh_tokens"] = "QR";
  Trainer tuned(parse(config, dir), dir / "tuned", quiet());
  const LmParameters& after = tuned.parameters();
  const int64_t hidden = before.config.hidden, embed = before.layout.embed();
  auto row = [&](const LmParameters& p, int token) {
    return std::vector<float>(p.at(embed + token * hidden), p.at(embed + (token + 1) * hidden));
  };
  auto norm = [](const std::vector<float>& v) {
    return std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
  };
  double mean_norm = 0;
  for (int t = 0; t < before.config.vocab; ++t) {
    if (t == 'Q' || t == 'R') continue;
    EXPECT_EQ(row(after, t), row(before, t)) << t;
    mean_norm += norm(row(before, t)) / (before.config.vocab - 2);
  }
  for (const int t : {'Q', 'R'}) {
    EXPECT_NE(row(after, t), row(before, t));
    EXPECT_NEAR(norm(row(after, t)), mean_norm, 1e-4 * mean_norm);
  }
  const std::vector<float> q = row(after, 'Q'), r = row(after, 'R');
  EXPECT_LT(std::abs(std::inner_product(q.begin(), q.end(), r.begin(), 0.0)) / norm(q) / norm(r),
            0.5);
  const size_t rest = size_t(embed + before.config.vocab * hidden);
  EXPECT_TRUE(std::equal(after.values.begin() + long(rest), after.values.end(),
                         before.values.begin() + long(rest)));
  Trainer again(parse(config, dir), dir / "again", quiet());
  EXPECT_EQ(again.parameters().values, after.values);  // deterministic in the seed

  config["model"].erase("init");
  try {
    parse(config, dir);
    ADD_FAILURE() << "fresh_tokens without init was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'model.fresh_tokens' needs 'model.init'"),
              std::string::npos)
        << e.what();
  }
}

TEST(LmTrain, StopsOnRequestWithACheckpoint) {
  test::TempDir dir;
  test::write_lm_traces(dir / "train.jsonl", 20);
  const std::atomic<bool> stop{true};
  RunOptions o = quiet();
  o.stop = &stop;
  Trainer trainer(parse(test::tiny_lm_config(10), dir), dir / "out", o);
  EXPECT_EQ(trainer.run(), 0);
  EXPECT_TRUE(std::filesystem::exists(checkpoint_state_file(dir / "out" / "checkpoint")));
}

TEST(LmTrain, OutputDirectoryMisuseIsRefused) {
  test::TempDir dir;
  test::write_lm_traces(dir / "train.jsonl", 20);
  const TrainConfig config = parse(test::tiny_lm_config(2), dir);
  EXPECT_THROW(Trainer(config, dir / "fresh", quiet(true)), Error);  // nothing to resume
  Trainer(config, dir / "out", quiet()).run();
  try {
    Trainer(config, dir / "out", quiet());
    FAIL() << "a second run over a checkpoint must be refused";
  } catch (const FieldError& e) {
    EXPECT_EQ(e.field(), "resume") << e.what();
  }
  Json other = test::tiny_lm_config(2);
  other["model"]["hidden"] = 48;
  EXPECT_THROW(Trainer(parse(other, dir), dir / "out", quiet(true)), Error);  // another model
}

// An evaluation that records when it ran.
class CountingEval : public TrainingEval {
 public:
  explicit CountingEval(std::vector<int64_t>* steps) : steps_(steps) {}
  std::string name() const override { return "counting"; }
  int64_t every() const override { return 3; }
  Metrics run(const EvalContext& ctx) override {
    steps_->push_back(ctx.step);
    EXPECT_TRUE(std::filesystem::exists(ctx.model_dir() / "model.safetensors"));
    return {{"value", double(ctx.step)}};
  }

 private:
  std::vector<int64_t>* steps_;
};

TEST(LmTrain, EvaluationsRunOnScheduleAndAreLogged) {
  test::TempDir dir;
  test::write_lm_traces(dir / "train.jsonl", 20);
  test::write_lm_traces(dir / "heldout.jsonl", 5);
  Json config = test::tiny_lm_config(7);
  config["eval"] = {{"heldout", "heldout.jsonl"}, {"every", 2}};
  std::vector<int64_t> steps;
  Trainer trainer(parse(config, dir), dir / "out", quiet());
  trainer.add_eval(std::make_unique<CountingEval>(&steps));
  trainer.run();
  EXPECT_EQ(steps, (std::vector<int64_t>{3, 6, 7}));  // and after the last step
  int heldout = 0;
  for (const Json& line : test::read_jsonl(dir / "out" / "train_log.jsonl")) {
    if (line.value("eval", "") != "heldout") continue;
    ++heldout;
    EXPECT_GT(line["loss"].get<double>(), 0);
    EXPECT_EQ(line["tokens"].get<double>(), 3 * (1 + 2 + 3 + 4 + 1) + 5);  // traces and ends
  }
  EXPECT_EQ(heldout, 4);  // steps 2, 4, 6, 7
}

std::string config_error(const Json& j) {
  test::TempDir dir;
  try {
    parse_train_config(j, "cfg.json", dir.path());
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(LmTrain, ConfigErrorsNameTheKey) {
  Json c = test::tiny_lm_config(5);
  EXPECT_EQ(config_error(c), "(no error)");
  auto with = [&](const std::string& section, const std::string& key, const Json& value) {
    Json j = c;
    if (section.empty()) j[key] = value;
    else j[section][key] = value;
    return config_error(j);
  };
  EXPECT_NE(with("optimizer", "lrr", 1).find("cfg.json: unknown key 'optimizer.lrr'"),
            std::string::npos);
  EXPECT_NE(with("", "sed", 1).find("unknown key 'sed'"), std::string::npos);
  EXPECT_NE(with("optimizer", "lr", -1).find("'optimizer.lr' = -1 is outside"), std::string::npos);
  EXPECT_NE(with("model", "layers", "four").find("'model.layers' must be an integer"),
            std::string::npos);
  EXPECT_NE(with("model", "kv_heads", 3)
                .find("'model.heads' = 2 must be a multiple of 'model.kv_heads' = 3"),
            std::string::npos);
  EXPECT_NE(with("model", "head_dim", 15).find("'model.head_dim' = 15 must be even"),
            std::string::npos);
  EXPECT_NE(with("batch", "tokens", 20).find("'batch.tokens' = 20 is below 'data.max_tokens' = 40"),
            std::string::npos);
  EXPECT_NE(with("data", "max_tokens", 100).find("'data.max_tokens' = 100 is outside [1, 64]"),
            std::string::npos);
  EXPECT_NE(with("data", "train", Json::array()).find("'data.train' must name"), std::string::npos);
  EXPECT_NE(with("", "model", 3).find("'model' must be an object"), std::string::npos);
  Json no_steps = c;
  no_steps["optimizer"].erase("steps");
  EXPECT_NE(config_error(no_steps).find("missing 'optimizer.steps'"), std::string::npos);
  Json minimal = {{"optimizer", {{"steps", 1}}}, {"data", {{"train", "x.jsonl"}}}};
  EXPECT_EQ(config_error(minimal), "(no error)");
}

TEST(LmTrain, GreedyAccuracyOnHeldOutProblemsIsLoggedPerGroup) {
  test::TempDir dir;
  test::write_lm_traces(dir / "train.jsonl", 20);
  {
    std::ofstream out(dir / "heldout.jsonl");
    for (int i = 0; i < 4; ++i)
      out << Json{{"id", "h" + std::to_string(i)},
                  {"group", i % 2 ? "odd" : "even"},
                  {"prompt", "repeat ab:"},
                  {"trace", "ab ab "},
                  {"answer", "ab"}}
                 .dump()
          << "\n";
  }
  Json config = test::tiny_lm_config(4);
  config["eval"] = {
      {"heldout", "heldout.jsonl"}, {"every", 2}, {"accuracy_every", 2}, {"accuracy_examples", 3}};
  std::ofstream(dir / "config.json") << config.dump();
  const auto r =
      test::run_command(test::cli() + " train-lm --config " + (dir / "config.json").string() +
                        " --out " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream log(dir / "out" / "train_log.jsonl");
  std::string line;
  std::vector<int64_t> steps;
  while (std::getline(log, line)) {
    const Json j = Json::parse(line);
    if (j.value("eval", "") != "accuracy") continue;
    steps.push_back(j["step"].get<int64_t>());
    for (const char* key : {"accuracy", "accuracy_even", "accuracy_odd"}) {
      ASSERT_TRUE(j.contains(key)) << line;
      EXPECT_GE(j[key].get<double>(), 0.0);
      EXPECT_LE(j[key].get<double>(), 1.0);
    }
  }
  EXPECT_EQ(steps, (std::vector<int64_t>{2, 4}));

  config["eval"].erase("heldout");
  std::ofstream(dir / "bad.json") << config.dump();
  const auto bad =
      test::run_command(test::cli() + " train-lm --config " + (dir / "bad.json").string() +
                        " --out " + (dir / "out2").string());
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("accuracy_every"), std::string::npos) << bad.output;
}

TEST(LmTrain, CommandLine) {
  test::TempDir dir;
  test::write_lm_traces(dir / "train.jsonl", 20);
  std::ofstream(dir / "config.json") << test::tiny_lm_config(3).dump();
  const std::string base = test::cli() + " train-lm --config " + (dir / "config.json").string() +
                           " --out " + (dir / "out").string();
  auto r = test::run_command(base);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("train-lm: step 3"), std::string::npos) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "model" / "config.json"));
  r = test::run_command(base);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("--resume is not set"), std::string::npos) << r.output;
  r = test::run_command(base + " --resume");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // --steps extends a finished run; the checkpoint's config records the new total.
  r = test::run_command(base + " --resume --steps 5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("train-lm: step 5"), std::string::npos) << r.output;
  EXPECT_EQ(
      read_json_file(dir / "out" / "checkpoint" / "state.json")["config"]["optimizer"]["steps"], 5);
  EXPECT_NE(test::run_command(base + " --resume --steps 0").exit_code, 0);

  Json bad = test::tiny_lm_config(3);
  bad["optimizer"]["warmup"] = 5;
  std::ofstream(dir / "bad.json") << bad.dump();
  r = test::run_command(test::cli() + " train-lm --config " + (dir / "bad.json").string() +
                        " --out " + (dir / "out2").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("unknown key 'optimizer.warmup'"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace foresight
