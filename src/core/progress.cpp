#include "core/progress.hpp"

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <exception>
#include <tuple>

#include <fmt/format.h>

namespace foresight {
namespace {

constexpr int kBarWidth = 20;
constexpr double kRedrawSeconds = 0.1;  // interactive: at most ~10 redraws a second

std::string format_rate(double per_second, std::string_view unit) {
  const std::string per = unit.empty() ? "/s" : fmt::format(" {}/s", unit);
  if (!std::isfinite(per_second)) return "--" + per;
  if (per_second < 10) return fmt::format("{:.2f}{}", per_second, per);
  if (per_second < 1000) return fmt::format("{:.1f}{}", per_second, per);
  return fmt::format("{:.0f}{}", per_second, per);
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--";
  if (seconds < 9.95) return fmt::format("{:.1f}s", seconds);
  const int64_t s = std::llround(seconds);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  const int64_t m = (s + 30) / 60;  // hours are shown to the minute
  return fmt::format("{}h{:02}m", m / 60, m % 60);
}

std::string format_count(int64_t n) {
  if (n < 10000) return std::to_string(n);
  if (n < 1000000) return fmt::format("{:.1f}k", double(n) / 1e3);
  return fmt::format("{:.2f}M", double(n) / 1e6);
}

std::string format_progress_line(std::string_view label, int64_t done, int64_t total,
                                 std::string_view unit, double elapsed_seconds, bool finished) {
  const double rate = elapsed_seconds > 0 ? double(done) / elapsed_seconds : NAN;
  std::string line(label);
  const std::string in_unit = unit.empty() ? "" : fmt::format(" {}", unit);
  if (total > 0) {
    const double fraction = double(done) / double(total);
    const int filled = int(std::clamp(fraction, 0.0, 1.0) * kBarWidth);
    line += fmt::format(" [{}{}] {}/{}{} {}%", std::string(filled, '#'),
                        std::string(kBarWidth - filled, '.'), format_count(done),
                        format_count(total), in_unit, int64_t(std::floor(fraction * 100)));
  } else {
    line += fmt::format(" {}{}", format_count(done), in_unit);
  }
  line += " " + format_rate(rate, unit);
  if (finished) {
    line += " in " + format_duration(elapsed_seconds);
  } else if (total > 0) {
    const double eta = done >= total ? 0.0 : double(total - done) / rate;
    line += " ETA " + format_duration(done > 0 ? eta : NAN);
  }
  return line;
}

Progress::Progress(std::string label, int64_t total, std::string unit, std::FILE* out)
    : Progress(std::move(label), total, std::move(unit), out,
               out != nullptr && ::isatty(::fileno(out)) != 0) {}

Progress::Progress(std::string label, int64_t total, std::string unit, std::FILE* out,
                   bool interactive, double plain_every_seconds)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      out_(out),
      interactive_(interactive),
      plain_every_seconds_(plain_every_seconds),
      uncaught_at_start_(std::uncaught_exceptions()),
      start_(Clock::now()),
      last_print_(start_) {}

Progress::~Progress() {
  if (std::uncaught_exceptions() == uncaught_at_start_) {
    finish();
  } else if (line_open_ && out_ != nullptr) {
    std::fputc('\n', out_);
    std::fflush(out_);
  }
}

double Progress::seconds_since_start(Clock::time_point now) const {
  return std::chrono::duration<double>(now - start_).count();
}

void Progress::share(ProgressShare* share) {
  std::lock_guard lock(mutex_);
  share_ = share;
}

void Progress::advance(int64_t n) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  done_ += n;
  const auto now = Clock::now();
  if (share_ != nullptr && std::this_thread::get_id() == owner_ &&
      std::chrono::duration<double>(now - last_exchange_).count() >= 0.2) {
    last_exchange_ = now;
    std::tie(shown_done_, shown_total_) = share_->exchange(done_, total_, false);
  }
  const double since_print = std::chrono::duration<double>(now - last_print_).count();
  if (since_print >= (interactive_ ? kRedrawSeconds : plain_every_seconds_))
    print_locked(now, false);
}

void Progress::add_total(int64_t delta) {
  std::lock_guard lock(mutex_);
  total_ += delta;
}

void Progress::set_status(std::string status) {
  std::lock_guard lock(mutex_);
  status_ = std::move(status);
}

void Progress::finish() {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  if (share_ != nullptr)
    std::tie(shown_done_, shown_total_) = share_->exchange(done_, total_, true);
  print_locked(Clock::now(), true);
}

void Progress::print_locked(Clock::time_point now, bool finished) {
  last_print_ = now;
  if (out_ == nullptr) return;
  const bool job = share_ != nullptr;
  std::string line =
      format_progress_line(label_, job ? shown_done_ : done_, job ? shown_total_ : total_, unit_,
                           seconds_since_start(now), finished);
  if (!status_.empty()) line += " " + status_;
  if (interactive_) {
    // `\x1b[K` clears what a longer previous line left behind
    std::fprintf(out_, "\r%s\x1b[K%s", line.c_str(), finished ? "\n" : "");
    line_open_ = !finished;
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

}  // namespace foresight
