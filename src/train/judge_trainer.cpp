#include "train/judge_trainer.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"
#include "core/safetensors.hpp"
#include "core/train_log.hpp"
#include "eval/fidelity.hpp"
#include "lm/adamw.hpp"
#include "lm/lr_schedule.hpp"
#include "train/golden.hpp"

namespace foresight {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

constexpr const char* kCheckpoint = "checkpoint.safetensors";

// Trace indices of a step: position g = step * P + q of an endless stream of epochs, each a
// fresh shuffle of all traces drawn from (seed, epoch).
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

Json scorecard_json(const JudgeScorecard& c) {
  return {{"loss", c.mean_loss()},
          {"overlap", c.mean_overlap()},
          {"pairwise_accuracy", c.pairwise_accuracy()},
          {"decisions", c.decisions}};
}

struct Checkpoint {
  int64_t step = 0;
  double elapsed_seconds = 0;
};

void save_checkpoint(const std::filesystem::path& path, const Judge& judge, const AdamW& adam,
                     const Checkpoint& c, const Json& settings) {
  const std::vector<int64_t> shape{int64_t(judge.parameters().size())};
  const std::vector<TensorToWrite> tensors = {{"params", DType::F32, shape, judge.parameters().data()},
                                              {"adam_m", DType::F32, shape, adam.m().data()},
                                              {"adam_v", DType::F32, shape, adam.v().data()}};
  const Json state = {{"step", c.step}, {"optimizer_steps", adam.steps()},
                      {"elapsed_seconds", c.elapsed_seconds}, {"settings", settings}};
  write_safetensors(path, tensors, {{"format", "foresight-judge-checkpoint-1"}, {"state", state.dump()}});
}

// Restores the judge, Adam and the clock; returns the settings the checkpoint was written with.
Json load_checkpoint(const std::filesystem::path& path, Judge& judge, AdamW& adam, Checkpoint& c) {
  const SafetensorsFile file(path);
  const auto& meta = file.metadata();
  const auto state_text = meta.find("state");
  if (meta.find("format") == meta.end() || meta.at("format") != "foresight-judge-checkpoint-1" ||
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

Json JudgeTrainSettings::to_json() const {
  return {{"budget", schedule.budget}, {"evict_every", schedule.evict_every},
          {"sinks", schedule.sinks},   {"steps", steps},
          {"traces_per_step", traces_per_step}, {"warmup_steps", warmup_steps},
          {"lr", lr}, {"min_lr", min_lr}, {"clip", clip}, {"margin", margin}, {"seed", seed}};
}

JudgeScorecard judge_on_golden_path(const Model& model, const Judge& judge,
                                    std::span<const int32_t> ids, const EvictionSchedule& schedule,
                                    float margin, std::span<float> grad) {
  auto future = std::make_shared<const FutureAttention>(
      record_future_attention(model, ids, schedule.evict_every));
  auto teacher = std::make_shared<GoldenTeacher>(judge, schedule.budget, margin, grad);
  Sequence seq(model.config(), schedule, teacher, 0, future);
  teacher_forced_losses(model, seq, ids);
  return teacher->scorecard();
}

JudgeScorecard evaluate_judge(const Model& model, const Judge& judge,
                              const std::vector<Trace>& traces, const EvictionSchedule& schedule,
                              float margin) {
  std::vector<JudgeScorecard> cards(traces.size());
  parallel_jobs(int64_t(traces.size()), [&](int64_t i) {
    cards[i] = judge_on_golden_path(model, judge, traces[i].ids, schedule, margin);
  });
  JudgeScorecard total;
  for (const JudgeScorecard& c : cards) total.add(c);
  return total;
}

int64_t train_judge_sl(const Model& model, const std::vector<Trace>& train,
                       const std::vector<Trace>& heldout, Judge& judge, const JudgeTrainSettings& s,
                       const std::filesystem::path& work_dir, const JudgeTrainerOptions& options) {
  if (train.empty()) fail("train-judge: no training traces");
  if (s.traces_per_step < 1) fail("--traces-per-step must be >= 1, got {}", s.traces_per_step);
  if (s.steps < 1) fail("--steps must be >= 1, got {}", s.steps);
  s.schedule.validate();
  const auto message = [&](const std::string& text) {
    if (options.log != nullptr) std::fprintf(options.log, "%s\n", text.c_str());
  };
  const Json settings = s.to_json();
  const auto checkpoint_path = work_dir / kCheckpoint;
  const bool exists = std::filesystem::exists(checkpoint_path);
  if (options.resume && !exists) fail("{}: no checkpoint to resume from", checkpoint_path.string());
  if (!options.resume && exists)
    fail("{}: holds a checkpoint already; pass --resume to continue it, or choose another "
         "--checkpoint-dir", work_dir.string());
  std::filesystem::create_directories(work_dir);

  const auto n_params = int64_t(judge.parameters().size());
  const auto size = judge.parameters().size();
  AdamW adam(n_params, AdamWSettings{0.9, 0.999, 1e-8, 0.0});
  const LrSchedule schedule{s.lr, s.min_lr, s.warmup_steps, s.steps};
  Checkpoint state;
  if (options.resume) {
    const Json saved = load_checkpoint(checkpoint_path, judge, adam, state);
    const std::vector<std::string> changed = json_differences(saved, settings);
    if (!changed.empty())
      message(fmt::format("train-judge: resuming with changed settings ({}): the run will not "
                          "repeat the uninterrupted one exactly", fmt::join(changed, ", ")));
    message(fmt::format("train-judge: resumed at step {} of {}", state.step, s.steps));
  }
  TrainLog log(work_dir / "train_log.jsonl", options.resume ? state.step : -1);

  const auto evaluate = [&] {
    if (heldout.empty()) return;
    const JudgeScorecard c = evaluate_judge(model, judge, heldout, s.schedule, s.margin);
    Json line = {{"step", state.step}, {"eval", "heldout"}};
    line.update(scorecard_json(c));
    log.write(line);
    message(fmt::format("step {}: held-out loss {:.5f}, top-k overlap {:.3f}, pairwise accuracy "
                        "{:.3f}", state.step, c.mean_loss(), c.mean_overlap(), c.pairwise_accuracy()));
  };
  if (state.step == 0) evaluate();

  const int64_t end = std::min(s.steps, options.until.value_or(s.steps));
  const double elapsed_before = state.elapsed_seconds;
  const auto run_start = Clock::now();
  auto last_checkpoint = Clock::now();
  const auto save = [&] {
    state.elapsed_seconds = elapsed_before + seconds_since(run_start);
    save_checkpoint(checkpoint_path, judge, adam, state, settings);
    last_checkpoint = Clock::now();
  };
  std::optional<Progress> progress;
  if (options.log != nullptr && state.step < end)
    progress.emplace("train-judge", end - state.step, options.log);

  std::vector<std::vector<float>> grads(size_t(s.traces_per_step), std::vector<float>(size));
  std::vector<JudgeScorecard> cards(size_t(s.traces_per_step));
  std::vector<float> grad(size);
  while (state.step < end) {
    const std::vector<int64_t> picked = step_traces(state.step, s.traces_per_step,
                                                    int64_t(train.size()), s.seed);
    parallel_jobs(s.traces_per_step, [&](int64_t q) {
      std::fill(grads[q].begin(), grads[q].end(), 0.0f);
      cards[q] = judge_on_golden_path(model, judge, train[picked[q]].ids, s.schedule, s.margin,
                                      grads[q]);
    });
    JudgeScorecard card;
    std::fill(grad.begin(), grad.end(), 0.0f);
    for (int q = 0; q < s.traces_per_step; ++q) {
      card.add(cards[q]);
      for (int64_t i = 0; i < n_params; ++i) grad[i] += grads[q][i];
    }
    double norm = 0;
    const double lr = schedule.at(state.step);
    if (card.decisions > 0) {  // traces shorter than B + L evict nothing and teach nothing
      for (float& g : grad) g /= float(card.decisions);
      norm = clip_gradient_norm(grad, s.clip);
      adam.update(judge.parameters(), grad, lr);
    }
    ++state.step;
    Json line = {{"step", state.step}, {"lr", lr}, {"grad_norm", norm}};
    line.update(scorecard_json(card));
    log.write(line);
    if (progress) {
      progress->set_status(fmt::format("loss {:.5f} overlap {:.3f} pairwise {:.3f}",
                                       card.mean_loss(), card.mean_overlap(),
                                       card.pairwise_accuracy()));
      progress->advance();
    }
    if (state.step % s.eval_every == 0 || state.step == s.steps) evaluate();
    if (seconds_since(last_checkpoint) >= s.checkpoint_minutes * 60) save();
  }
  if (progress) progress->finish();
  save();
  return state.step;
}

}  // namespace foresight
