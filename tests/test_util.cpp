#include "test_util.hpp"

#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

#include "engine/transformer.hpp"
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

std::vector<float> pattern_logits(const Model& model) {
  const auto ids = pattern_tokens(40, model.config().vocab);
  Sequence seq(model.config());
  return forward_chunk(model, seq, ids, LogitsWanted::All);
}

double relative_error(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, double(std::fabs(a[i] - b[i])));
    scale = std::max(scale, double(std::fabs(b[i])));
  }
  return diff / scale;
}

std::vector<Json> read_jsonl(const std::filesystem::path& path) {
  std::vector<Json> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
  return lines;
}

Json without_clock(Json line) {
  line.erase("elapsed_seconds");
  line.erase("tokens_per_second");
  return line;
}

void write_lm_traces(const std::filesystem::path& path, int n) {
  std::ofstream out(path);
  for (int i = 0; i < n; ++i) {
    const std::string word = std::string(1, char('a' + i % 5)) + char('a' + (i / 5) % 3);
    std::string trace;
    for (int k = 0; k <= i % 4; ++k) trace += word + " ";
    out << Json{{"prompt", "repeat " + word + ":"}, {"trace", trace}}.dump() << "\n";
  }
}

Json tiny_lm_config(int steps) {
  return {{"seed", 5},
          {"model",
           {{"layers", 1},
            {"hidden", 32},
            {"heads", 2},
            {"kv_heads", 1},
            {"head_dim", 16},
            {"intermediate", 64},
            {"max_positions", 64}}},
          {"optimizer", {{"steps", steps}, {"lr", 1e-2}, {"warmup_steps", std::min(3, steps)}}},
          {"batch", {{"sequences", 8}, {"tokens", 256}}},
          {"data", {{"train", "train.jsonl"}, {"max_tokens", 40}}},
          {"log_every", 1}};
}

void TinyModelTest::SetUp() {
  write_random_model(dir.path(), RandomModelSpec{});
  model = Model::load(dir.path());
}

}  // namespace foresight::test
