#include "lm/trainer.hpp"

#include <chrono>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "lm/train_step.hpp"
#include "model/byte_tokenizer.hpp"

namespace foresight {

namespace {

// The byte-level tokenizer, loaded the way the engine will load it from the model directory.
Tokenizer write_and_load_tokenizer(const std::filesystem::path& model_dir) {
  std::filesystem::create_directories(model_dir);
  write_file_atomic(model_dir / "tokenizer.json", make_byte_level_tokenizer().json);
  return Tokenizer::load(model_dir / "tokenizer.json");
}

}  // namespace

Trainer::Trainer(TrainConfig config, std::filesystem::path out_dir, RunOptions options)
    : config_(std::move(config)),
      out_dir_(std::move(out_dir)),
      params_(init_parameters(config_.model.model_config(), config_.init_std, config_.seed,
                              config_.qk_norm_init)),
      optimizer_(make_adamw(params_.layout, config_.adamw)),
      runner_(params_.config, config_.data.max_tokens),
      loop_(run_parts(), state_, options) {
  if (!options.resume && !config_.init.empty()) {
    read_hf_weights(config_.init, params_);
    redraw_embedding_rows(params_, config_.fresh_tokens, config_.seed);
  }
  const Tokenizer tokenizer = write_and_load_tokenizer(out_dir_ / "model");
  const int32_t end_id = params_.config.bos_id;  // <|endoftext|>
  data_ = read_trace_dataset(config_.data.train, tokenizer, end_id, config_.data.max_tokens,
                             config_.data.live_mask, config_.seed);
  batcher_ = std::make_unique<Batcher>(data_, config_.batch, config_.data, config_.seed);
  if (options.resume) batcher_->set_position(state_.data);
  loop_.message(
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
}

Trainer::~Trainer() = default;

RunParts Trainer::run_parts() {
  return {.name = "train-lm",
          .dir = out_dir_,
          .checkpoint = checkpoint_state_file(out_dir_ / "checkpoint"),
          .steps = config_.schedule.total_steps,
          .checkpoints = config_.checkpoint,
          .settings = config_.source,
          .load = [this] { return load(); },
          .save = [this](const Json& config) { save(config); },
          .step = [this](int64_t step) { return this->step(step); }};
}

Json Trainer::load() {
  const auto checkpoint_dir = out_dir_ / "checkpoint";
  const Json saved = load_checkpoint(checkpoint_dir, params_, optimizer_, state_);
  const TrainConfig before =
      parse_train_config(saved, checkpoint_state_file(checkpoint_dir).string() + " config", {});
  LmShape saved_shape = before.model;
  saved_shape.max_positions = config_.model.max_positions;  // the weights do not depend on it
  if (!(saved_shape == config_.model))
    fail(
        "{}: the checkpoint's 'model' settings differ from the config's; a run can only "
        "resume with the same model",
        checkpoint_dir.string());
  return saved;
}

void Trainer::save(const Json& config) {
  state_.data = batcher_->position();
  // the model first: once a checkpoint exists, so does a loadable model at least as new
  write_hf_model(out_dir_ / "model", params_);
  save_checkpoint(out_dir_ / "checkpoint", params_, optimizer_, state_, config);
}

void Trainer::add_eval(std::unique_ptr<TrainingEval> eval) {
  if (eval->every() < 1) fail("evaluation '{}': every() must be >= 1", eval->name());
  TrainingEval& e = *evals_.emplace_back(std::move(eval));
  loop_.add_evaluation({e.every(), [this, &e](int64_t step) { return evaluate(e, step); }});
}

StepReport Trainer::evaluate(TrainingEval& eval, int64_t step) {
  const EvalContext ctx{step, params_, runner_, [this, step] { return model_dir(step); }};
  Json line = {{"step", step}, {"eval", eval.name()}};
  for (const auto& [key, value] : eval.run(ctx)) line[key] = value;
  return {line, line.dump()};
}

std::filesystem::path Trainer::model_dir(int64_t step) {
  if (model_written_ != step) write_hf_model(out_dir_ / "model", params_);
  model_written_ = step;
  return out_dir_ / "model";
}

std::optional<StepReport> Trainer::step(int64_t step) {
  const Batch batch = batcher_->next(step);
  const double lr = config_.schedule.at(step);
  const auto t0 = std::chrono::steady_clock::now();
  const StepResult r = train_step(runner_, params_, optimizer_, grads_, batch, lr, config_.clip);
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  state_.tokens_seen += batch.rows();
  LogWindow& w = state_.log_window;
  w.loss += r.loss, w.grad_norm += r.grad_norm, w.seconds += dt, w.tokens += batch.rows(),
      ++w.steps;

  // A run stopped before the last step logs nothing extra: its checkpoint keeps the window.
  const int64_t done = step + 1;
  if (done % config_.log_every != 0 && done != config_.schedule.total_steps) return std::nullopt;
  const double loss = w.loss / double(w.steps), tokens_per_second = double(w.tokens) / w.seconds;
  StepReport report{
      Json{{"loss", loss},
           {"lr", lr},
           {"grad_norm", w.grad_norm / double(w.steps)},
           {"tokens_per_second", tokens_per_second},
           {"elapsed_seconds", loop_.elapsed_seconds()},
           {"tokens", state_.tokens_seen},
           {"length_cap", config_.data.length_cap(step)}},
      fmt::format("step {} loss {:.4f} lr {:.2e} {:.0f} tok/s", done, loss, lr, tokens_per_second)};
  w = {};
  return report;
}

int64_t Trainer::run(std::optional<int64_t> until) {
  if (until && *until > config_.schedule.total_steps)
    fail("cannot train to step {}: the config's optimizer.steps is {}", *until,
         config_.schedule.total_steps);
  return loop_.run(until);
}

}  // namespace foresight
