// Helpers shared by the test suites: scratch directories and running commands.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/json_file.hpp"
#include "model/model.hpp"

namespace foresight::test {

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};
CommandResult run_command(const std::string& command);

// The foresight CLI built alongside the tests, and the repository root.
inline std::string cli() { return FORESIGHT_CLI; }
inline std::filesystem::path source_dir() { return FORESIGHT_SOURCE_DIR; }

// Deterministic token ids in [0, vocab); `salt` gives another sequence of the same length.
std::vector<int32_t> pattern_tokens(int n, int vocab, int salt = 0);

// The logits of every one of 40 pattern_tokens run through `model` in one chunk.
std::vector<float> pattern_logits(const Model& model);
// The largest |a - b| relative to the largest |b|.
double relative_error(const std::vector<float>& a, const std::vector<float>& b);

// The lines of a JSONL file, and a train_log.jsonl line without the fields that measure time
// (which differ between an uninterrupted run and a resumed one).
std::vector<Json> read_jsonl(const std::filesystem::path& path);
Json without_clock(Json line);

// Training data and the config of a tiny LM (src/lm/train_config.hpp) trained on it for
// `steps` steps, with "data.train" = "train.jsonl": repetition problems of several lengths
// whose trace is determined by the prompt (example i repeats its word 1 + i % 4 times, 3
// tokens each).
void write_lm_traces(const std::filesystem::path& path, int n);
Json tiny_lm_config(int steps);

// A fixture holding the tiny random model (RandomModelSpec{}) written to a scratch directory.
class TinyModelTest : public ::testing::Test {
 protected:
  void SetUp() override;
  TempDir dir;
  std::unique_ptr<Model> model;
};

}  // namespace foresight::test
