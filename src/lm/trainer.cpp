#include "lm/trainer.hpp"

#include <chrono>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/train_log.hpp"
#include "lm/train_step.hpp"
#include "model/byte_tokenizer.hpp"

namespace foresight {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The byte-level tokenizer, loaded the way the engine will load it from the model directory.
Tokenizer write_and_load_tokenizer(const std::filesystem::path& model_dir) {
  std::filesystem::create_directories(model_dir);
  write_file_atomic(model_dir / "tokenizer.json", make_byte_level_tokenizer().json);
  return Tokenizer::load(model_dir / "tokenizer.json");
}

}  // namespace

Trainer::Trainer(TrainConfig config, std::filesystem::path out_dir, TrainerOptions options)
    : config_(std::move(config)),
      out_dir_(std::move(out_dir)),
      options_(options),
      params_(init_parameters(config_.model.model_config(), config_.init_std, config_.seed,
                              config_.qk_norm_init)),
      optimizer_(params_.layout, config_.adamw),
      runner_(params_.config, config_.data.max_tokens) {
  const auto checkpoint_dir = out_dir_ / "checkpoint";
  if (options_.resume && !checkpoint_exists(checkpoint_dir))
    fail("{}: no checkpoint to resume from (state.json is missing)", checkpoint_dir.string());
  if (!options_.resume && checkpoint_exists(checkpoint_dir))
    fail("{}: holds a checkpoint already; pass --resume to continue it, or choose another --out",
         out_dir_.string());

  if (!options_.resume && !config_.init.empty()) read_hf_weights(config_.init, params_);
  const Tokenizer tokenizer = write_and_load_tokenizer(out_dir_ / "model");
  const int32_t end_id = params_.config.bos_id;  // <|endoftext|>
  data_ = read_trace_dataset(config_.data.train, tokenizer, end_id, config_.data.max_tokens);
  batcher_ = std::make_unique<Batcher>(data_, config_.batch, config_.data, config_.seed);
  message(
      fmt::format("train-lm: {} parameters; {} training examples, {} tokens ({} dropped as "
                  "longer than {} tokens); seed {}",
                  params_.layout.size(), data_.examples.size(), data_.tokens(), data_.dropped,
                  config_.data.max_tokens, config_.seed));
  if (!config_.eval.heldout.empty()) {
    TraceDataset heldout = read_trace_dataset(std::span(&config_.eval.heldout, 1), tokenizer,
                                              end_id, config_.data.max_tokens);
    if (config_.eval.max_examples > 0 &&
        int64_t(heldout.examples.size()) > config_.eval.max_examples)
      heldout.examples.resize(size_t(config_.eval.max_examples));
    if (heldout.examples.empty())
      fail("{}: no held-out examples of at most {} tokens", config_.eval.heldout.string(),
           config_.data.max_tokens);
    add_eval(make_heldout_loss_eval(std::move(heldout), config_.batch, config_.eval.every));
  }

  if (options_.resume) {
    const Json saved = load_checkpoint(checkpoint_dir, params_, optimizer_, state_);
    const TrainConfig before =
        parse_train_config(saved, checkpoint_dir.string() + "/state.json config", {});
    LmShape saved_shape = before.model;
    saved_shape.max_positions = config_.model.max_positions;  // the weights do not depend on it
    if (!(saved_shape == config_.model))
      fail(
          "{}: the checkpoint's 'model' settings differ from the config's; a run can only "
          "resume with the same model",
          checkpoint_dir.string());
    const std::vector<std::string> changed = json_differences(saved, config_.source);
    if (!changed.empty())
      message(
          fmt::format("train-lm: resuming with changed settings ({}): the run will not "
                      "repeat the uninterrupted one exactly",
                      fmt::join(changed, ", ")));
    batcher_->set_position(state_.data);
    message(fmt::format("train-lm: resumed at step {} of {}", state_.step,
                        config_.schedule.total_steps));
  }
  std::filesystem::create_directories(out_dir_);
  log_ = std::make_unique<TrainLog>(out_dir_ / "train_log.jsonl",
                                    options_.resume ? state_.step : -1);
}

Trainer::~Trainer() = default;

void Trainer::add_eval(std::unique_ptr<TrainingEval> eval) {
  if (eval->every() < 1) fail("evaluation '{}': every() must be >= 1", eval->name());
  evals_.push_back(std::move(eval));
}

void Trainer::message(const std::string& text) const {
  if (options_.log == nullptr) return;
  std::fprintf(options_.log, "%s\n", text.c_str());
  std::fflush(options_.log);
}

void Trainer::save() {
  state_.data = batcher_->position();
  log_->sync();
  // the model first: once a checkpoint exists, so does a loadable model at least as new
  write_hf_model(out_dir_ / "model", params_);
  save_checkpoint(out_dir_ / "checkpoint", params_, optimizer_, state_, config_.source);
}

void Trainer::run_evals() {
  bool written = false;
  const EvalContext ctx{state_.step, params_, runner_, [&] {
                          if (!written) write_hf_model(out_dir_ / "model", params_);
                          written = true;
                          return out_dir_ / "model";
                        }};
  // every `every` steps, and at the end so that the finished model always has its numbers
  const bool last = state_.step == config_.schedule.total_steps;
  for (auto& eval : evals_) {
    if (state_.step % eval->every() != 0 && !last) continue;
    Json line = {{"step", state_.step}, {"eval", eval->name()}};
    for (const auto& [key, value] : eval->run(ctx)) line[key] = value;
    log_->write(line);
    message(fmt::format("step {}: {}", state_.step, line.dump()));
  }
}

int64_t Trainer::run(std::optional<int64_t> until) {
  const int64_t end = until.value_or(config_.schedule.total_steps);
  if (end > config_.schedule.total_steps)
    fail("cannot train to step {}: the config's optimizer.steps is {}", end,
         config_.schedule.total_steps);
  const auto run_start = Clock::now();
  const double elapsed_before = state_.elapsed_seconds;
  auto last_checkpoint = Clock::now();
  std::unique_ptr<Progress> progress;
  if (options_.log != nullptr && state_.step < end)
    progress = std::make_unique<Progress>("train", end - state_.step, "steps", options_.log);

  LogWindow& w = state_.log_window;
  while (state_.step < end && !(options_.stop != nullptr && options_.stop->load())) {
    const Batch batch = batcher_->next(state_.step);
    const double lr = config_.schedule.at(state_.step);
    const auto t0 = Clock::now();
    const StepResult r = train_step(runner_, params_, optimizer_, grads_, batch, lr, config_.clip);
    const double dt = seconds_since(t0);
    ++state_.step;
    state_.tokens_seen += batch.rows();
    state_.elapsed_seconds = elapsed_before + seconds_since(run_start);
    w.loss += r.loss, w.grad_norm += r.grad_norm, w.seconds += dt, w.tokens += batch.rows(),
        ++w.steps;

    // A run stopped before the last step logs nothing extra: its checkpoint keeps the window.
    if (state_.step % config_.log_every == 0 || state_.step == config_.schedule.total_steps) {
      log_->write({{"step", state_.step},
                {"loss", w.loss / double(w.steps)},
                {"lr", lr},
                {"grad_norm", w.grad_norm / double(w.steps)},
                {"tokens_per_second", double(w.tokens) / w.seconds},
                {"elapsed_seconds", state_.elapsed_seconds},
                {"tokens", state_.tokens_seen},
                {"length_cap", config_.data.length_cap(state_.step - 1)}});
      if (progress)
        progress->set_status(fmt::format("step {} loss {:.4f} lr {:.2e} {:.0f} tok/s", state_.step,
                                         w.loss / double(w.steps), lr,
                                         double(w.tokens) / w.seconds));
      w = {};
    }
    if (progress) progress->advance();
    run_evals();
    if (config_.checkpoint.due(state_.step, seconds_since(last_checkpoint))) {
      save();
      last_checkpoint = Clock::now();
    }
  }
  if (progress) progress->finish();
  save();
  if (state_.step < end)
    message(fmt::format("train-lm: stopped at step {}; checkpoint saved", state_.step));
  return state_.step;
}

}  // namespace foresight
