#include "core/gguf_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace foresight {

namespace {

constexpr uint32_t kVersion = 3;
constexpr uint32_t kDefaultAlignment = 32;
// Bounds on what a header may claim, far above real models (a 150K-token vocabulary, some
// hundreds of tensors), so that a corrupt count fails before anything is allocated from it.
constexpr uint64_t kMaxCount = uint64_t{1} << 24;
constexpr uint64_t kMaxKeyBytes = 1 << 16;
constexpr uint32_t kMaxDims = 4;
constexpr uint32_t kMaxAlignment = 1 << 16;

// The tensor types this project reads and writes, as ggml numbers them. A new type is a row
// here and a DType the kernels know.
struct TensorType {
  uint32_t id;
  DType dtype;
  uint64_t block_elements, block_bytes;
};
constexpr TensorType kTensorTypes[] = {
    {0, DType::F32, 1, 4},
    {1, DType::F16, 1, 2},
    {30, DType::BF16, 1, 2},
    {8, DType::Q8_0, kQ8Block, kQ8BlockBytes},
};

const TensorType* tensor_type_of_id(uint32_t id) {
  for (const TensorType& t : kTensorTypes)
    if (t.id == id) return &t;
  return nullptr;
}

const TensorType& tensor_type_of(DType dtype) {
  for (const TensorType& t : kTensorTypes)
    if (t.dtype == dtype) return t;
  fail("GGUF: tensors of {} cannot be written", dtype_name(dtype));
}

// Bytes of one scalar of a numeric or Bool type; 0 for String and Array.
uint64_t scalar_bytes(GgufType t) {
  switch (t) {
    case GgufType::U8:
    case GgufType::I8:
    case GgufType::Bool: return 1;
    case GgufType::U16:
    case GgufType::I16: return 2;
    case GgufType::U32:
    case GgufType::I32:
    case GgufType::F32: return 4;
    case GgufType::U64:
    case GgufType::I64:
    case GgufType::F64: return 8;
    case GgufType::String:
    case GgufType::Array: return 0;
  }
  return 0;
}

bool is_known(uint32_t t) { return t <= static_cast<uint32_t>(GgufType::F64); }

bool is_integer(GgufType t) {
  return scalar_bytes(t) != 0 && t != GgufType::F32 && t != GgufType::F64 && t != GgufType::Bool;
}

uint64_t pad_to(uint64_t n, uint64_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}

// The i-th integer of an integer-typed run at `data`; false when it does not fit an int64.
bool read_integer(GgufType t, const char* data, uint64_t i, int64_t* out) {
  auto load = [&](auto v) {
    std::memcpy(&v, data + i * sizeof(v), sizeof(v));
    return v;
  };
  switch (t) {
    case GgufType::U8: *out = load(uint8_t{}); return true;
    case GgufType::I8: *out = load(int8_t{}); return true;
    case GgufType::U16: *out = load(uint16_t{}); return true;
    case GgufType::I16: *out = load(int16_t{}); return true;
    case GgufType::U32: *out = load(uint32_t{}); return true;
    case GgufType::I32: *out = load(int32_t{}); return true;
    case GgufType::I64: *out = load(int64_t{}); return true;
    case GgufType::U64: {
      const uint64_t v = load(uint64_t{});
      *out = static_cast<int64_t>(v);
      return v <= static_cast<uint64_t>(INT64_MAX);
    }
    default: return false;
  }
}

// Reads the header front to back; every read is checked against the end of the file.
class Cursor {
 public:
  Cursor(const std::string& file, const char* base, uint64_t size)
      : file_(file), base_(base), size_(size) {}

  uint64_t position() const { return pos_; }
  uint64_t left() const { return size_ - pos_; }

  // `what` names the field for the message ("key 'general.name'", "tensor 3's name").
  const char* take(uint64_t bytes, std::string_view what) {
    if (bytes > left())
      fail("{}: truncated: {} needs {} bytes at offset {}, past the end of the {}-byte file", file_,
           what, bytes, pos_, size_);
    const char* p = base_ + pos_;
    pos_ += bytes;
    return p;
  }
  template <typename T>
  T read(std::string_view what) {
    T v;
    std::memcpy(&v, take(sizeof(T), what), sizeof(T));
    return v;
  }
  std::string_view string(std::string_view what, uint64_t max_bytes) {
    const auto n = read<uint64_t>(what);
    if (n > max_bytes) fail("{}: {} has length {}, more than {}", file_, what, n, max_bytes);
    return {take(n, what), static_cast<size_t>(n)};
  }

 private:
  const std::string& file_;
  const char* base_;
  uint64_t size_, pos_ = 0;
};

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

GgufValue read_value(Cursor& in, const std::string& file, const std::string& key) {
  const std::string what = fmt::format("key '{}'", key);
  GgufValue v;
  const auto type = in.read<uint32_t>(what);
  if (!is_known(type)) fail("{}: key '{}' has unknown value type {}", file, key, type);
  v.type = v.element_type = static_cast<GgufType>(type);
  if (v.type == GgufType::Array) {
    const auto element = in.read<uint32_t>(what);
    if (!is_known(element)) fail("{}: key '{}' is an array of unknown type {}", file, key, element);
    v.element_type = static_cast<GgufType>(element);
    if (v.element_type == GgufType::Array)
      fail("{}: key '{}' is an array of arrays, which is not supported", file, key);
    v.count = in.read<uint64_t>(what);
    // Every element takes at least a byte (a string its 8-byte length), so a count the rest
    // of the file cannot hold is corrupt.
    const uint64_t least = v.element_type == GgufType::String ? 8 : scalar_bytes(v.element_type);
    if (v.count > kMaxCount || v.count > in.left() / least)
      fail("{}: key '{}' claims {} array elements, more than the file holds", file, key, v.count);
  }
  if (v.element_type == GgufType::String) {
    v.strings.reserve(v.count);
    for (uint64_t i = 0; i < v.count; ++i) v.strings.push_back(in.string(what, in.left()));
  } else {
    v.data = in.take(v.count * scalar_bytes(v.element_type), what);
    if (v.element_type == GgufType::Bool)
      for (uint64_t i = 0; i < v.count; ++i)
        if (static_cast<uint8_t>(v.data[i]) > 1)
          fail("{}: key '{}' holds a Bool that is neither 0 nor 1", file, key);
  }
  return v;
}

TensorView read_tensor_info(Cursor& in, const std::string& file, uint64_t index, uint64_t* offset) {
  TensorView t;
  t.name = std::string(in.string(fmt::format("tensor {}'s name", index), kMaxKeyBytes));
  const std::string what = fmt::format("tensor '{}'", t.name);
  auto bad = [&](std::string_view problem) -> void {
    fail("{}: tensor '{}': {}", file, t.name, problem);
  };
  const auto n_dims = in.read<uint32_t>(what);
  if (n_dims == 0 || n_dims > kMaxDims) bad(fmt::format("{} dimensions (1 to 4 allowed)", n_dims));
  std::vector<uint64_t> dims(n_dims);
  for (uint64_t& d : dims) d = in.read<uint64_t>(what);
  const auto type_id = in.read<uint32_t>(what);
  *offset = in.read<uint64_t>(what);
  const TensorType* type = tensor_type_of_id(type_id);
  if (type == nullptr) bad(fmt::format("unknown or unsupported tensor type {}", type_id));
  t.dtype = type->dtype;
  // Sizes are checked against the file's size as they are multiplied, so nothing overflows.
  const uint64_t limit = in.left() + in.position();
  uint64_t numel = 1;
  for (uint64_t d : dims) {
    if (d > limit || (d != 0 && numel > limit / d)) bad("shape larger than the file");
    numel *= d;
  }
  if (dims[0] % type->block_elements != 0)
    bad(fmt::format("first dimension {} is not a multiple of the type's block of {}", dims[0],
                    type->block_elements));
  if (numel / type->block_elements > limit / type->block_bytes) bad("shape larger than the file");
  t.bytes = static_cast<size_t>(numel / type->block_elements * type->block_bytes);
  for (auto d = dims.rbegin(); d != dims.rend(); ++d) t.shape.push_back(static_cast<int64_t>(*d));
  return t;
}

}  // namespace

std::string_view gguf_type_name(GgufType t) {
  constexpr std::string_view names[] = {"U8",   "I8",     "U16",   "I16", "U32", "I32", "F32",
                                        "Bool", "String", "Array", "U64", "I64", "F64"};
  return is_known(static_cast<uint32_t>(t)) ? names[static_cast<uint32_t>(t)] : "unknown";
}

GgufFile::GgufFile(const std::filesystem::path& path) : path_(path) {
  const std::string file = path.string();
  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) fail("{}: cannot open: {}", file, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) fail("{}: cannot stat: {}", file, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail("{}: not a regular file", file);
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size < 24) fail("{}: truncated: {} bytes, no room for the 24-byte GGUF header", file, size);
  map_bytes_ = size;
  map_ = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    fail("{}: cannot memory-map: {}", file, std::strerror(errno));
  }
  try {
    const char* base = static_cast<const char*>(map_);
    Cursor in(file, base, size);
    if (std::memcmp(in.take(4, "the magic"), "GGUF", 4) != 0)
      fail("{}: not a GGUF file (the first 4 bytes are not \"GGUF\")", file);
    const auto version = in.read<uint32_t>("the version");
    if (version != kVersion)
      fail("{}: GGUF version {} is not supported (only {})", file, version, kVersion);
    const auto n_tensors = in.read<uint64_t>("the tensor count");
    const auto n_values = in.read<uint64_t>("the metadata count");
    // A key-value pair takes at least 13 bytes, a tensor description at least 33.
    if (n_values > kMaxCount || n_values > in.left() / 13)
      fail("{}: header claims {} metadata keys, more than the file holds", file, n_values);
    if (n_tensors > kMaxCount || n_tensors > in.left() / 33)
      fail("{}: header claims {} tensors, more than the file holds", file, n_tensors);

    for (uint64_t i = 0; i < n_values; ++i) {
      std::string key(in.string(fmt::format("metadata key {}", i), kMaxKeyBytes));
      GgufValue v = read_value(in, file, key);
      if (!values_.emplace(key, std::move(v)).second) fail("{}: key '{}' appears twice", file, key);
    }
    uint64_t alignment = kDefaultAlignment;
    if (contains("general.alignment")) {
      alignment = static_cast<uint64_t>(integer("general.alignment", 1, kMaxAlignment));
      if ((alignment & (alignment - 1)) != 0)
        fail_key("general.alignment", fmt::format("{} is not a power of 2", alignment));
    }

    std::vector<uint64_t> offsets;
    std::vector<TensorView> infos;
    for (uint64_t i = 0; i < n_tensors; ++i) {
      uint64_t offset;
      infos.push_back(read_tensor_info(in, file, i, &offset));
      offsets.push_back(offset);
    }
    const uint64_t data_start = pad_to(in.position(), alignment);
    const uint64_t data_bytes = data_start <= size ? size - data_start : 0;
    for (std::size_t i = 0; i < infos.size(); ++i) {
      TensorView& t = infos[i];
      const uint64_t offset = offsets[i];
      if (offset % alignment != 0)
        fail("{}: tensor '{}': offset {} is not a multiple of the alignment {}", file, t.name,
             offset, alignment);
      if (offset > data_bytes || t.bytes > data_bytes - offset)
        fail("{}: tensor '{}': bytes [{}, {}) lie outside the {} data bytes of the file", file,
             t.name, offset, offset + t.bytes, data_bytes);
      t.data = base + data_start + offset;
      const std::string name = t.name;
      if (!tensors_.emplace(name, std::move(t)).second)
        fail("{}: tensor '{}' appears twice", file, name);
    }
    // Tensors must not share bytes: a crafted file could otherwise alias two weights.
    std::vector<const TensorView*> by_offset;
    for (const auto& [name, t] : tensors_) by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(),
              [](const TensorView* a, const TensorView* b) { return a->data < b->data; });
    for (std::size_t i = 1; i < by_offset.size(); ++i) {
      const TensorView* prev = by_offset[i - 1];
      if (static_cast<const char*>(prev->data) + prev->bytes > by_offset[i]->data)
        fail("{}: tensors '{}' and '{}' overlap", file, prev->name, by_offset[i]->name);
    }
  } catch (...) {
    ::munmap(map_, map_bytes_);
    map_ = nullptr;
    throw;
  }
}

GgufFile::~GgufFile() {
  if (map_ != nullptr) ::munmap(map_, map_bytes_);
}

const TensorView& GgufFile::tensor(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) fail("{}: missing tensor '{}'", path_.string(), name);
  return it->second;
}

void GgufFile::fail_key(const std::string& key, std::string_view what) const {
  fail("{}: key '{}': {}", path_.string(), key, what);
}

const GgufValue& GgufFile::value(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) fail("{}: missing key '{}'", path_.string(), key);
  return it->second;
}

int64_t GgufFile::integer(const std::string& key, int64_t lo, int64_t hi) const {
  const GgufValue& v = value(key);
  int64_t n = 0;
  if (v.type == GgufType::Array || !is_integer(v.type))
    fail_key(key, fmt::format("is {}, expected an integer", gguf_type_name(v.type)));
  if (!read_integer(v.type, v.data, 0, &n) || n < lo || n > hi)
    fail_key(key, fmt::format("{} is outside [{}, {}]", n, lo, hi));
  return n;
}

double GgufFile::number(const std::string& key) const {
  const GgufValue& v = value(key);
  if (v.type == GgufType::F32) {
    float f;
    std::memcpy(&f, v.data, 4);
    return f;
  }
  if (v.type == GgufType::F64) {
    double d;
    std::memcpy(&d, v.data, 8);
    return d;
  }
  fail_key(key, fmt::format("is {}, expected F32 or F64", gguf_type_name(v.type)));
}

bool GgufFile::boolean(const std::string& key) const {
  const GgufValue& v = value(key);
  if (v.type != GgufType::Bool)
    fail_key(key, fmt::format("is {}, expected Bool", gguf_type_name(v.type)));
  return v.data[0] != 0;
}

std::string_view GgufFile::string(const std::string& key) const {
  const GgufValue& v = value(key);
  if (v.type != GgufType::String)
    fail_key(key, fmt::format("is {}, expected String", gguf_type_name(v.type)));
  return v.strings[0];
}

std::span<const std::string_view> GgufFile::strings(const std::string& key) const {
  const GgufValue& v = value(key);
  if (v.type != GgufType::Array || v.element_type != GgufType::String)
    fail_key(key, fmt::format("is {}, expected an array of String", gguf_type_name(v.type)));
  return v.strings;
}

std::vector<int64_t> GgufFile::integers(const std::string& key) const {
  const GgufValue& v = value(key);
  if (v.type != GgufType::Array || !is_integer(v.element_type))
    fail_key(key, fmt::format("is {} of {}, expected an array of integers", gguf_type_name(v.type),
                              gguf_type_name(v.element_type)));
  std::vector<int64_t> out(v.count);
  for (uint64_t i = 0; i < v.count; ++i)
    if (!read_integer(v.element_type, v.data, i, &out[i]))
      fail_key(key, fmt::format("element {} does not fit a 64-bit integer", i));
  return out;
}

namespace {

template <typename T>
void append(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

void append_string(std::string& out, std::string_view s) {
  append<uint64_t>(out, s.size());
  out.append(s);
}

}  // namespace

GgufWriter::GgufWriter() { add_u32("general.alignment", kAlignment); }

void GgufWriter::add_u32(const std::string& key, uint32_t v) {
  append_string(header_, key);
  append(header_, GgufType::U32);
  append(header_, v);
  ++n_values_;
}

void GgufWriter::add_i32(const std::string& key, int32_t v) {
  append_string(header_, key);
  append(header_, GgufType::I32);
  append(header_, v);
  ++n_values_;
}

void GgufWriter::add_f32(const std::string& key, float v) {
  append_string(header_, key);
  append(header_, GgufType::F32);
  append(header_, v);
  ++n_values_;
}

void GgufWriter::add_bool(const std::string& key, bool v) {
  append_string(header_, key);
  append(header_, GgufType::Bool);
  append<uint8_t>(header_, v ? 1 : 0);
  ++n_values_;
}

void GgufWriter::add_string(const std::string& key, std::string_view v) {
  append_string(header_, key);
  append(header_, GgufType::String);
  append_string(header_, v);
  ++n_values_;
}

void GgufWriter::add_strings(const std::string& key, std::span<const std::string> v) {
  append_string(header_, key);
  append(header_, GgufType::Array);
  append(header_, GgufType::String);
  append<uint64_t>(header_, v.size());
  for (const std::string& s : v) append_string(header_, s);
  ++n_values_;
}

void GgufWriter::add_i32s(const std::string& key, std::span<const int32_t> v) {
  append_string(header_, key);
  append(header_, GgufType::Array);
  append(header_, GgufType::I32);
  append<uint64_t>(header_, v.size());
  header_.append(reinterpret_cast<const char*>(v.data()), v.size_bytes());
  ++n_values_;
}

void GgufWriter::add_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape,
                            Fill fill) {
  const TensorType& type = tensor_type_of(dtype);  // fails now for a type GGUF cannot hold
  if (shape.empty() || shape.back() % static_cast<int64_t>(type.block_elements) != 0)
    fail("GGUF: tensor '{}' of {} needs rows of a multiple of {} values", name, dtype_name(dtype),
         type.block_elements);
  tensors_.push_back({name, dtype, std::move(shape), std::move(fill)});
}

void GgufWriter::write(const std::filesystem::path& path) const {
  std::string header;
  header.append("GGUF", 4);
  append(header, kVersion);
  append<uint64_t>(header, tensors_.size());
  append<uint64_t>(header, n_values_);
  header += header_;
  std::vector<uint64_t> sizes;
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    uint64_t numel = 1;
    for (int64_t d : t.shape) numel *= static_cast<uint64_t>(d);
    sizes.push_back(dtype_bytes(t.dtype, numel));
    append_string(header, t.name);
    append<uint32_t>(header, static_cast<uint32_t>(t.shape.size()));
    for (auto d = t.shape.rbegin(); d != t.shape.rend(); ++d) append<uint64_t>(header, *d);
    append(header, tensor_type_of(t.dtype).id);
    append(header, offset);
    offset = pad_to(offset + sizes.back(), kAlignment);
  }
  header.append(pad_to(header.size(), kAlignment) - header.size(), '\0');
  AtomicFile out(path);
  out.write(header);
  std::vector<uint8_t> bytes;
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    bytes.assign(pad_to(sizes[i], kAlignment), 0);
    tensors_[i].fill(std::span(bytes).first(sizes[i]));
    out.write(bytes.data(), bytes.size());
  }
  out.commit();
}

}  // namespace foresight
