// Helpers shared by the test suites: scratch directories and running commands.
#pragma once
#include <filesystem>
#include <string>

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

}  // namespace foresight::test
