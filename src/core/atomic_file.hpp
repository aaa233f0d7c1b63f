// Crash-safe output: everything is written to `path.tmp.<pid>`, flushed to disk and renamed
// into place (and the directory synced, so that the rename survives a power cut too), so a
// reader never sees a half-written file. A killed writer leaves at most its temporary file.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string_view>

namespace foresight {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path path);
  ~AtomicFile();  // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t bytes);
  void write(std::string_view text) { write(text.data(), text.size()); }
  void commit();  // fsync, close, rename over the destination, fsync the directory

 private:
  std::filesystem::path path_, tmp_path_;
  int fd_ = -1;
};

// Writes a whole file atomically.
void write_file_atomic(const std::filesystem::path& path, std::string_view contents);

}  // namespace foresight
