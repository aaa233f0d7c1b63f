#include "optim/train_log.hpp"

#include <unistd.h>
#include <fstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace foresight {

TrainLog::TrainLog(std::filesystem::path path, int64_t resumed_step) : path_(std::move(path)) {
  if (resumed_step < 0) {
    std::filesystem::remove(path_);
  } else if (std::filesystem::exists(path_)) {
    std::ifstream in(path_);
    std::string line, kept;
    while (std::getline(in, line)) {
      const Json j = Json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.is_object() && j.value("step", int64_t{0}) <= resumed_step)
        kept += line + "\n";
    }
    write_file_atomic(path_, kept);
  }
  file_ = std::fopen(path_.c_str(), "a");
  if (file_ == nullptr) fail("{}: cannot open for writing", path_.string());
}

TrainLog::~TrainLog() { std::fclose(file_); }

void TrainLog::write(const Json& line) {
  const std::string text = line.dump() + "\n";
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() || std::fflush(file_) != 0)
    fail("{}: write failed", path_.string());
}

void TrainLog::sync() {
  if (::fsync(::fileno(file_)) != 0) fail("{}: fsync failed", path_.string());
}

}  // namespace foresight
