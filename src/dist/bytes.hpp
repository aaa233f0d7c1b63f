// Values laid one after another in a string and read back in the same order: the messages the
// ranks of a job send each other. The ranks run the same build on the same kind of machine, so
// values travel in their own byte order. A reader that runs past its message fails.
#pragma once
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/error.hpp"

namespace foresight {

class ByteWriter {
 public:
  template <typename T>
  requires std::is_trivially_copyable_v<T>
  void put(const T& value) { bytes_.append(reinterpret_cast<const char*>(&value), sizeof value); }
  template <typename T>
  void put(std::span<const T> values) {
    put(uint64_t(values.size()));
    bytes_.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  }
  template <typename T>
  void put(const std::vector<T>& values) {
    put(std::span<const T>(values));
  }
  void put(std::string_view text) {
    put(uint64_t(text.size()));
    bytes_.append(text);
  }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  template <typename T>
  requires std::is_trivially_copyable_v<T> T get() {
    T value;
    std::memcpy(&value, take(sizeof value), sizeof value);
    return value;
  }
  template <typename T>
  std::vector<T> get_vector() {
    const auto n = get<uint64_t>();
    if (n > bytes_.size() / sizeof(T)) fail("cluster: a message ends inside a list");
    std::vector<T> values(n);
    std::memcpy(values.data(), take(n * sizeof(T)), n * sizeof(T));
    return values;
  }
  std::string get_string() {
    const auto n = get<uint64_t>();
    if (n > bytes_.size()) fail("cluster: a message ends inside a string");
    return std::string(take(n), n);
  }
  bool done() const { return bytes_.empty(); }

 private:
  const char* take(size_t n) {
    if (n > bytes_.size()) fail("cluster: a message ends {} bytes early", n - bytes_.size());
    const char* at = bytes_.data();
    bytes_.remove_prefix(n);
    return at;
  }
  std::string_view bytes_;
};

}  // namespace foresight
