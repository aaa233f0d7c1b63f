// A progress bar on stderr for long jobs (evaluation, tracing, training):
//   label [########............] 123/456 27% 12.3/s ETA 1m05s
// On a terminal the line is redrawn in place (`\r`) at most ~10 times a second. Elsewhere
// (CI logs, redirected output) a plain line is printed every 5% or every 10 s, whichever comes
// first, so logs stay short but still show that the job is alive.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace foresight {

// "3.2s", "42s", "1m05s", "2h03m"; "--" for a negative or non-finite value (unknown ETA).
std::string format_duration(double seconds);

// One progress line. total <= 0 means the total is unknown (no bar, percentage or ETA).
// A finished line shows the elapsed time instead of the ETA.
std::string format_progress_line(std::string_view label, int64_t done, int64_t total,
                                 double elapsed_seconds, bool finished);

class Progress {
 public:
  // `out` is stderr except in tests; `interactive` says whether to redraw in place, and is
  // taken from isatty() on `out` when not given.
  Progress(std::string label, int64_t total, std::FILE* out = stderr);
  Progress(std::string label, int64_t total, std::FILE* out, bool interactive);
  // Finishes the bar, unless an exception is unwinding: then it only ends the current line,
  // so a failed job does not claim to be done.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Thread-safe: evaluation advances one bar from several threads.
  void advance(int64_t n = 1);
  // Text shown after the counters from the next print on (training: "loss 2.31 lr 3e-4").
  void set_status(std::string status);
  // Prints the final line with the elapsed time; later calls do nothing.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  double seconds_since_start(Clock::time_point now) const;
  void print_locked(Clock::time_point now, bool finished);

  std::string label_;
  int64_t total_;
  std::FILE* out_;
  bool interactive_;
  int uncaught_at_start_;

  std::mutex mutex_;
  int64_t done_ = 0;
  std::string status_;
  int64_t last_printed_step_ = 0;  // in 5% steps, for plain output
  bool line_open_ = false;         // a `\r` line is on screen without its newline
  bool finished_ = false;
  Clock::time_point start_, last_print_;
};

}  // namespace foresight
