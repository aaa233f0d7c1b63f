#include "test_util.hpp"

#include <array>
#include <cstdio>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

#include "model/random_model.hpp"

namespace foresight::test {

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("foresight-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult run_command(const std::string& command) {
  CommandResult r{-1, {}};
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::vector<int32_t> pattern_tokens(int n, int vocab, int salt) {
  std::vector<int32_t> ids;
  for (int i = 0; i < n; ++i) ids.push_back((i * 131 + 7 + salt * 17) % vocab);
  return ids;
}

void TinyModelTest::SetUp() {
  write_random_model(dir.path(), RandomModelSpec{});
  model = Model::load(dir.path());
}

}  // namespace foresight::test
