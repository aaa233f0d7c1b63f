// The JSONL log of a training run (one object per line, each with its "step"), written by the
// run loop (run_loop.hpp), and what a resumed run needs to keep it consistent. The log is the one
// output not written atomically: lines are appended, and a run killed while writing one leaves
// a partial last line, which a resumed run drops with the lines after its checkpoint.
#pragma once
#include <cstdio>
#include <filesystem>

#include "core/json_file.hpp"

namespace foresight {

class TrainLog {
 public:
  // Opens `path` for appending. A resumed run keeps the lines of steps up to `resumed_step`
  // (an interrupted run may have logged steps after its last checkpoint, which it will redo);
  // a fresh run (resumed_step < 0) starts the file anew.
  TrainLog(std::filesystem::path path, int64_t resumed_step);
  ~TrainLog();
  TrainLog(const TrainLog&) = delete;
  TrainLog& operator=(const TrainLog&) = delete;

  void write(const Json& line);  // appended and flushed
  // Puts the lines on disk; called before a checkpoint is saved, so that a checkpoint never
  // survives a power cut that its steps' lines do not.
  void sync();

 private:
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

}  // namespace foresight
