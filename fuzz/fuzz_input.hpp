// What every fuzz target shares: a scratch directory for parsers that take a path, and the
// rule that foresight::Error is the one expected outcome of bad input. Anything else that
// escapes (another exception type, a sanitizer report, a crash) is a finding.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

#include "core/error.hpp"

namespace foresight::fuzz {

// A directory of this process (tmpfs when there is one: a file is written per input),
// removed at exit.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path shm = "/dev/shm";
    const auto root =
        std::filesystem::is_directory(shm) ? shm : std::filesystem::temp_directory_path();
    auto path = root / ("foresight-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    std::atexit([] { std::filesystem::remove_all(scratch_dir()); });
    return path;
  }();
  return dir;
}

// Writes `bytes` to `path` (replacing it) and returns the path.
inline std::filesystem::path write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), std::streamsize(bytes.size()));
  return path;
}

// The fuzz input as a file named `name` in the scratch directory.
inline std::filesystem::path input_file(const uint8_t* data, size_t size, const std::string& name) {
  return write_file(scratch_dir() / name, {reinterpret_cast<const char*>(data), size});
}

// Runs `parse`. An Error is the expected outcome of bad input, as long as its message names
// `subject` (the file, for parsers that read one): the CLI prints nothing else. An Error that
// does not, or any other exception, is a finding: libFuzzer reports it with the input.
template <typename F>
void expect_errors_naming(std::string_view subject, F&& parse) {
  try {
    parse();
  } catch (const Error& e) {
    if (std::string_view(e.what()).find(subject) != std::string_view::npos) return;
    std::fprintf(stderr, "unclear error (does not name %.*s): %s\n", int(subject.size()),
                 subject.data(), e.what());
    std::abort();
  }
}

}  // namespace foresight::fuzz
