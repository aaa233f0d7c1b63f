#include "train/judge_run.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"
#include "core/safetensors.hpp"
#include "core/train_log.hpp"

namespace foresight {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

constexpr const char* kCheckpoint = "checkpoint.safetensors";
constexpr const char* kCheckpointFormat = "foresight-judge-checkpoint-1";

struct Checkpoint {
  int64_t step = 0;
  double elapsed_seconds = 0;
};

void save_checkpoint(const std::filesystem::path& path, const Judge& judge, const AdamW& adam,
                     const Checkpoint& c, const Json& settings) {
  const std::vector<int64_t> shape{int64_t(judge.parameters().size())};
  const std::vector<TensorToWrite> tensors = {
      {"params", DType::F32, shape, judge.parameters().data()},
      {"adam_m", DType::F32, shape, adam.m().data()},
      {"adam_v", DType::F32, shape, adam.v().data()}};
  const Json state = {{"step", c.step}, {"optimizer_steps", adam.steps()},
                      {"elapsed_seconds", c.elapsed_seconds}, {"settings", settings}};
  write_safetensors(path, tensors, {{"format", kCheckpointFormat}, {"state", state.dump()}});
}

// Restores the judge, Adam and the clock; returns the settings the checkpoint was written with.
Json load_checkpoint(const std::filesystem::path& path, Judge& judge, AdamW& adam, Checkpoint& c) {
  const SafetensorsFile file(path);
  const auto& meta = file.metadata();
  const auto state_text = meta.find("state");
  if (meta.find("format") == meta.end() || meta.at("format") != kCheckpointFormat ||
      state_text == meta.end())
    fail("{}: not a judge training checkpoint", path.string());
  read_flat_f32(file, "params", judge.parameters());
  read_flat_f32(file, "adam_m", adam.m());
  read_flat_f32(file, "adam_v", adam.v());
  const Json state = Json::parse(state_text->second, nullptr, false);
  try {
    c.step = state.at("step").get<int64_t>();
    c.elapsed_seconds = state.at("elapsed_seconds").get<double>();
    adam.set_steps(state.at("optimizer_steps").get<int64_t>());
    return state.at("settings");
  } catch (const Json::exception& e) {
    fail("{}: malformed checkpoint state: {}", path.string(), e.what());
  }
}

}  // namespace

std::vector<int64_t> step_traces(int64_t step, int per_step, int64_t n_traces, uint64_t seed) {
  std::vector<int64_t> out;
  std::vector<int64_t> order;
  int64_t epoch = -1;
  for (int q = 0; q < per_step; ++q) {
    const int64_t g = step * per_step + q;
    if (g / n_traces != epoch) {
      epoch = g / n_traces;
      order.resize(size_t(n_traces));
      std::iota(order.begin(), order.end(), 0);
      Rng rng(seed * 0x9e3779b97f4a7c15ull + uint64_t(epoch));
      for (int64_t i = n_traces - 1; i > 0; --i)  // Fisher-Yates
        std::swap(order[i], order[int64_t(rng.next() % uint64_t(i + 1))]);
    }
    out.push_back(order[g % n_traces]);
  }
  return out;
}

int64_t run_judge_training(const JudgeRun& run, Judge& judge, AdamW& adam,
                           const std::filesystem::path& work_dir,
                           const JudgeTrainerOptions& options) {
  if (run.steps < 1) fail("--steps must be >= 1, got {}", run.steps);
  if (run.eval_every < 1) fail("--eval-every must be >= 1, got {}", run.eval_every);
  const auto message = [&](const std::string& text) {
    if (options.log != nullptr) std::fprintf(options.log, "%s\n", text.c_str());
  };
  const auto checkpoint_path = work_dir / kCheckpoint;
  const bool exists = std::filesystem::exists(checkpoint_path);
  if (options.resume && !exists) fail("{}: no checkpoint to resume from", checkpoint_path.string());
  if (!options.resume && exists)
    fail("{}: holds a checkpoint already; pass --resume to continue it, or choose another "
         "--checkpoint-dir", work_dir.string());
  std::filesystem::create_directories(work_dir);

  Checkpoint state;
  if (options.resume) {
    const Json saved = load_checkpoint(checkpoint_path, judge, adam, state);
    const std::vector<std::string> changed = json_differences(saved, run.settings);
    if (!changed.empty())
      message(fmt::format("train-judge: resuming with changed settings ({}): the run will not "
                          "repeat the uninterrupted one exactly", fmt::join(changed, ", ")));
    message(fmt::format("train-judge: resumed at step {} of {}", state.step, run.steps));
  }
  TrainLog log(work_dir / "train_log.jsonl", options.resume ? state.step : -1);
  const auto logged = [&](StepReport report) {
    report.line["step"] = state.step;
    log.write(report.line);
    return report.status;
  };
  const auto evaluate = [&] {
    if (std::optional<StepReport> report = run.evaluate(state.step))
      message(fmt::format("step {}: {}", state.step, logged(std::move(*report))));
    if (!options.accuracy) return;
    StepReport tasks{Json{{"eval", "tasks"}}, "held-out accuracy"};
    for (const auto& [name, value] : options.accuracy(judge)) {
      tasks.line[name] = value;
      const std::string group = name == "accuracy" ? "all" : name.substr(name.find('_') + 1);
      tasks.status += fmt::format(" {} {:.1f}%", group, 100 * value);
    }
    message(fmt::format("step {}: {}", state.step, logged(std::move(tasks))));
  };
  if (state.step == 0) evaluate();

  const int64_t end = std::min(run.steps, options.until.value_or(run.steps));
  const double elapsed_before = state.elapsed_seconds;
  const auto run_start = Clock::now();
  auto last_checkpoint = Clock::now();
  const auto save = [&] {
    state.elapsed_seconds = elapsed_before + seconds_since(run_start);
    log.sync();
    save_checkpoint(checkpoint_path, judge, adam, state, run.settings);
    last_checkpoint = Clock::now();
  };
  std::optional<Progress> progress;
  if (options.log != nullptr && state.step < end)
    progress.emplace("train-judge", end - state.step, "steps", options.log);

  while (state.step < end) {
    StepReport report = run.step(state.step);
    ++state.step;
    const std::string status = logged(std::move(report));
    if (progress) {
      progress->set_status(status);
      progress->advance();
    }
    if (state.step % run.eval_every == 0 || state.step == run.steps) evaluate();
    if (run.checkpoint.due(state.step, seconds_since(last_checkpoint))) save();
  }
  if (progress) progress->finish();
  save();
  return state.step;
}

}  // namespace foresight
