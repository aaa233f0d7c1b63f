#include "optim/run_loop.hpp"

#include <algorithm>

#include <fmt/ranges.h>

#include "core/error.hpp"
#include "core/progress.hpp"

namespace foresight {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void differences(const Json& a, const Json& b, const std::string& path,
                 std::vector<std::string>& out) {
  if (a.is_object() && b.is_object()) {
    for (const auto& [k, v] : a.items())
      differences(v, b.contains(k) ? b[k] : Json(), path.empty() ? k : path + "." + k, out);
    for (const auto& [k, v] : b.items())
      if (!a.contains(k)) out.push_back(path.empty() ? k : path + "." + k);
  } else if (a != b) {
    out.push_back(path.empty() ? "(top level)" : path);
  }
}

// The keys at which two JSON values differ, as "a.b" paths.
std::vector<std::string> json_differences(const Json& a, const Json& b) {
  std::vector<std::string> out;
  differences(a, b, "", out);
  return out;
}

}  // namespace

RunLoop::RunLoop(RunParts parts, RunPosition& position, const RunOptions& options)
    : parts_(std::move(parts)), position_(position), options_(options) {
  const bool exists = std::filesystem::exists(parts_.checkpoint);
  if (options_.resume && !exists)
    fail("{}: no checkpoint to resume from", parts_.checkpoint.string());
  if (!options_.resume && exists)
    fail_field("resume",
               " is not set, but {} holds a checkpoint: set it to continue that run, or "
               "choose another directory",
               parts_.dir.string());
  if (writes()) std::filesystem::create_directories(parts_.dir);
  if (options_.resume) {
    const std::vector<std::string> changed = json_differences(parts_.load(), parts_.settings);
    if (!changed.empty())
      message(
          fmt::format("{}: resuming with changed settings ({}): the run will not repeat the "
                      "uninterrupted one exactly",
                      parts_.name, fmt::join(changed, ", ")));
    message(fmt::format("{}: resumed at step {} of {}", parts_.name, position_.step, parts_.steps));
  }
  if (writes()) log_.emplace(parts_.dir / "train_log.jsonl", options_.resume ? position_.step : -1);
}

bool RunLoop::stopped() const {
  const bool asked = options_.stop != nullptr && options_.stop->load();
  const Cluster* cluster = options_.cluster;
  if (cluster == nullptr || cluster->size() == 1) return asked;
  bool any = false;  // on rank 0, which alone receives the others'
  for (const std::string& rank : cluster->gather(asked ? "1" : "0")) any = any || rank == "1";
  return cluster->broadcast(any ? "1" : "0") == "1";
}

void RunLoop::add_evaluation(Evaluation evaluation) {
  evaluations_.push_back(std::move(evaluation));
}

double RunLoop::elapsed_seconds() const { return elapsed_before_ + seconds_since(start_); }

void RunLoop::message(const std::string& text) const {
  if (options_.log == nullptr) return;
  std::fprintf(options_.log, "%s\n", text.c_str());
  std::fflush(options_.log);
}

std::string RunLoop::logged(StepReport report) {
  report.line["step"] = position_.step;
  if (log_) log_->write(report.line);
  return std::move(report.status);
}

void RunLoop::evaluate() {
  // the last step too, so that the finished run always has its numbers
  const bool last = position_.step == parts_.steps;
  for (const Evaluation& e : evaluations_)
    if (position_.step % e.every == 0 || last)
      message(fmt::format("step {}: {}", position_.step, logged(e.run(position_.step))));
}

void RunLoop::save() {
  position_.elapsed_seconds = elapsed_seconds();
  if (!writes()) return;
  // the log first: a checkpoint never survives a power cut that its steps' lines do not
  log_->sync();
  parts_.save(parts_.settings);
  last_checkpoint_ = Clock::now();
}

int64_t RunLoop::run(std::optional<int64_t> until) {
  if (parts_.evaluate_untrained && position_.step == 0) evaluate();
  const int64_t end = std::min(parts_.steps, until.value_or(parts_.steps));
  elapsed_before_ = position_.elapsed_seconds;
  start_ = last_checkpoint_ = Clock::now();
  std::optional<Progress> progress;
  if (options_.log != nullptr && position_.step < end)
    progress.emplace(parts_.name, end - position_.step, "steps", options_.log);

  while (position_.step < end && !stopped()) {
    std::optional<StepReport> report = parts_.step(position_.step);
    ++position_.step;
    if (report) {
      std::string status = logged(std::move(*report));
      if (progress) progress->set_status(std::move(status));
    }
    if (progress) progress->advance();
    evaluate();
    if (parts_.checkpoints.due(position_.step, seconds_since(last_checkpoint_))) save();
  }
  if (progress) progress->finish();
  save();
  if (position_.step < end)
    message(fmt::format("{}: stopped at step {}; checkpoint saved", parts_.name, position_.step));
  return position_.step;
}

}  // namespace foresight
