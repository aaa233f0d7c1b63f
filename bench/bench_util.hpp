// Small pieces the benchmark programs share.
#pragma once
#include <chrono>
#include <filesystem>
#include <string>

#include "model/random_model.hpp"

namespace foresight::bench {

inline double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// `model_dir`, or a random ~100M-parameter model written once into the temp directory.
inline std::string model_or_random_100m(const std::string& model_dir) {
  if (!model_dir.empty()) return model_dir;
  const auto dir = std::filesystem::temp_directory_path() / "foresight-bench-100m";
  if (!std::filesystem::exists(dir / "config.json"))
    write_random_model(dir, RandomModelSpec::preset("100m"));
  return dir.string();
}

}  // namespace foresight::bench
