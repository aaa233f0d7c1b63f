// GGUF files (llama.cpp's model format, version 3): a header of typed key-value metadata and
// tensor descriptions, then the tensors' data, each at an offset aligned to general.alignment.
// Reading memory-maps the file and validates all of the header before anything uses it;
// writing is atomic. The container only: what the keys and tensors mean for a model is in
// src/model/gguf_*.
//
// Shapes are given outermost dimension first, as in safetensors ([rows, cols]); GGUF stores
// them innermost first, and the reader and writer reverse them.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/safetensors.hpp"

namespace foresight {

enum class GgufType : uint32_t {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
};

std::string_view gguf_type_name(GgufType t);

// One metadata value, pointing into the mapped file: a scalar or string, or an array of one
// element type (arrays of arrays are refused).
struct GgufValue {
  GgufType type = GgufType::U8;
  GgufType element_type = GgufType::U8;   // of an Array; else the same as type
  uint64_t count = 1;                     // elements of an Array; else 1
  const char* data = nullptr;             // the numbers, little-endian, back to back
  std::vector<std::string_view> strings;  // of a String or an Array of String
};

class GgufFile {
 public:
  explicit GgufFile(const std::filesystem::path& path);
  ~GgufFile();
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  bool contains(const std::string& key) const { return values_.count(key) != 0; }
  const std::map<std::string, GgufValue>& values() const { return values_; }
  const std::map<std::string, TensorView>& tensors() const { return tensors_; }
  bool contains_tensor(const std::string& name) const { return tensors_.count(name) != 0; }
  const TensorView& tensor(const std::string& name) const;  // Error if absent

  // Typed reads of metadata; each is an Error naming the file and key when the key is
  // missing, of another type, or out of [lo, hi]. Any integer type is accepted for an
  // integer, F32 or F64 for a number.
  int64_t integer(const std::string& key, int64_t lo, int64_t hi) const;
  double number(const std::string& key) const;
  bool boolean(const std::string& key) const;
  std::string_view string(const std::string& key) const;
  std::span<const std::string_view> strings(const std::string& key) const;  // array of String
  std::vector<int64_t> integers(const std::string& key) const;  // array of an integer type

 private:
  const GgufValue& value(const std::string& key) const;
  [[noreturn]] void fail_key(const std::string& key, std::string_view what) const;

  std::filesystem::path path_;
  void* map_ = nullptr;
  std::size_t map_bytes_ = 0;
  std::map<std::string, GgufValue> values_;
  std::map<std::string, TensorView> tensors_;
};

// Builds a GGUF file: metadata in the order added, then tensors, each filled when it is
// written so that only one tensor's bytes are held at a time.
class GgufWriter {
 public:
  void add_u32(const std::string& key, uint32_t v);
  void add_i32(const std::string& key, int32_t v);
  void add_f32(const std::string& key, float v);
  void add_bool(const std::string& key, bool v);
  void add_string(const std::string& key, std::string_view v);
  void add_strings(const std::string& key, std::span<const std::string> v);
  void add_i32s(const std::string& key, std::span<const int32_t> v);

  // `fill` writes the tensor's dtype_bytes(dtype, numel) bytes into the buffer it is given.
  // F32, F16, BF16 and Q8_0 (rows of a multiple of 32 values) only.
  using Fill = std::function<void(std::span<uint8_t>)>;
  void add_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape, Fill fill);

  // Writes the file atomically, with general.alignment (added by the constructor) = 32.
  void write(const std::filesystem::path& path) const;

  static constexpr uint32_t kAlignment = 32;
  GgufWriter();

 private:
  struct Tensor {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    Fill fill;
  };
  std::string header_;  // the encoded key-value pairs
  uint64_t n_values_ = 0;
  std::vector<Tensor> tensors_;
};

}  // namespace foresight
