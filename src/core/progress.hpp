// A progress bar on stderr for long jobs (evaluation, tracing, training), counted in the job's
// unit of work, tokens for the engine's jobs:
//   eval [#####...............] 1.23M/4.70M tok 26% 1523 tok/s ETA 38m02s
// The total may shrink while the job runs (a generation that stops before its token limit gives
// back the tokens it did not need), so the ETA is the time the most that can still be done would
// take at the rate so far. On a terminal the line is redrawn in place (`\r`) at most ~10 times a
// second; elsewhere (CI logs, redirected output) a plain line is printed every ~10 s, so logs
// stay short but still show that the job is alive.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace foresight {

// "3.2s", "42s", "1m05s", "2h03m"; "--" for a negative or non-finite value (unknown ETA).
std::string format_duration(double seconds);

// "950", "12.3k", "4.70M": counts short enough for a progress line.
std::string format_count(int64_t n);

// One progress line; `unit` (e.g. "tok") follows the counts and the rate. total <= 0 means the
// total is unknown (no bar, percentage or ETA). A finished line shows the elapsed time instead
// of the ETA.
std::string format_progress_line(std::string_view label, int64_t done, int64_t total,
                                 std::string_view unit, double elapsed_seconds, bool finished);

// Where a bar's counts meet those of the other processes of one job (dist/job_progress.hpp), so
// that rank 0's bar counts the whole job.
class ProgressShare {
 public:
  virtual ~ProgressShare() = default;
  // This process's done and total so far; returns the job's (as known now). `final`: this
  // process's last counts (rank 0 then waits for every rank's). Called from the thread that
  // made the bar.
  virtual std::pair<int64_t, int64_t> exchange(int64_t done, int64_t total, bool final) = 0;
};

class Progress {
 public:
  // `out` is stderr except in tests, null for no output (a job's ranks other than 0);
  // `interactive` says whether to redraw in place, and is taken from isatty() on `out` when not
  // given; plain output prints every `plain_every_seconds`.
  Progress(std::string label, int64_t total, std::string unit = {}, std::FILE* out = stderr);
  Progress(std::string label, int64_t total, std::string unit, std::FILE* out, bool interactive,
           double plain_every_seconds = 10.0);
  // Finishes the bar, unless an exception is unwinding: then it only ends the current line,
  // so a failed job does not claim to be done.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Thread-safe: evaluation advances one bar from several threads.
  void advance(int64_t n = 1);
  // Changes the total by `delta` (negative: work that turned out not to be needed).
  void add_total(int64_t delta);
  // Text shown after the counters from the next print on (training: "loss 2.31 lr 3e-4").
  void set_status(std::string status);
  // Prints the final line with the elapsed time; later calls do nothing.
  void finish();
  // From now on the bar shows the job's counts (`share`, which must outlive it), exchanged at
  // most every ~0.2 s from the thread that made the bar, and finish() waits for the job's.
  void share(ProgressShare* share);

 private:
  using Clock = std::chrono::steady_clock;
  double seconds_since_start(Clock::time_point now) const;
  void print_locked(Clock::time_point now, bool finished);

  std::string label_, unit_;
  int64_t total_;
  std::FILE* out_;
  bool interactive_;
  double plain_every_seconds_;
  int uncaught_at_start_;

  std::mutex mutex_;
  int64_t done_ = 0;
  std::string status_;
  bool line_open_ = false;  // a `\r` line is on screen without its newline
  bool finished_ = false;
  Clock::time_point start_, last_print_, last_exchange_;
  ProgressShare* share_ = nullptr;
  std::thread::id owner_ = std::this_thread::get_id();
  int64_t shown_done_ = 0, shown_total_ = 0;  // the job's, with a share
};

}  // namespace foresight
