#include "core/safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace foresight {

namespace {

// Headers of real checkpoints are a few hundred KiB; anything past this is not a header.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;
constexpr int kMaxRank = 8;

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

TensorView parse_entry(const std::string& file, const std::string& name,
                       const nlohmann::json& entry, uint64_t data_bytes, const char* data) {
  auto bad = [&](std::string_view what) -> void { fail("{}: tensor '{}': {}", file, name, what); };
  if (!entry.is_object()) bad("header entry is not an object");
  TensorView t;
  t.name = name;
  auto dtype = entry.find("dtype");
  if (dtype == entry.end() || !dtype->is_string()) bad("missing dtype");
  if (!parse_dtype(dtype->get<std::string>(), &t.dtype))
    bad(fmt::format("unknown dtype '{}'", dtype->get<std::string>()));
  auto shape = entry.find("shape");
  if (shape == entry.end() || !shape->is_array() || shape->size() > kMaxRank)
    bad("missing or invalid shape");
  uint64_t numel = 1;
  for (const auto& dim : *shape) {
    if (!dim.is_number_unsigned()) bad("shape has a negative or non-integer dimension");
    uint64_t d = dim.get<uint64_t>();
    if (d > data_bytes || (d != 0 && numel > data_bytes / d)) bad("shape larger than the file");
    numel *= d;
    t.shape.push_back(static_cast<int64_t>(d));
  }
  auto offsets = entry.find("data_offsets");
  if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
      !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
    bad("missing or invalid data_offsets");
  uint64_t begin = (*offsets)[0].get<uint64_t>(), end = (*offsets)[1].get<uint64_t>();
  if (begin > end || end > data_bytes)
    bad(fmt::format("data_offsets [{}, {}] outside the {} data bytes of the file", begin, end,
                    data_bytes));
  t.bytes = static_cast<std::size_t>(end - begin);
  if (numel * dtype_size(t.dtype) != t.bytes)
    bad(fmt::format("{} bytes for shape {} of {}", t.bytes, t.shape_string(), dtype_name(t.dtype)));
  t.data = data + begin;
  return t;
}

}  // namespace

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string TensorView::shape_string() const { return fmt::format("[{}]", fmt::join(shape, ", ")); }

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : path_(path) {
  const std::string file = path.string();
  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) fail("{}: cannot open: {}", file, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) fail("{}: cannot stat: {}", file, std::strerror(errno));
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size < 8) fail("{}: truncated: {} bytes, no room for the 8-byte header length", file, size);
  map_bytes_ = size;
  map_ = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    fail("{}: cannot memory-map: {}", file, std::strerror(errno));
  }
  try {
    const char* base = static_cast<const char*>(map_);
    uint64_t header_bytes;
    std::memcpy(&header_bytes, base, 8);
    if (header_bytes > size - 8 || header_bytes > kMaxHeaderBytes)
      fail("{}: header length {} runs past the end of the {}-byte file", file, header_bytes, size);
    nlohmann::json header;
    try {
      header = nlohmann::json::parse(base + 8, base + 8 + header_bytes);
    } catch (const nlohmann::json::exception& e) {
      fail("{}: invalid JSON header: {}", file, e.what());
    }
    if (!header.is_object()) fail("{}: header is not a JSON object", file);
    const char* data = base + 8 + header_bytes;
    const uint64_t data_bytes = size - 8 - header_bytes;
    for (const auto& [name, entry] : header.items()) {
      if (name == "__metadata__") {
        if (!entry.is_object()) fail("{}: __metadata__ is not an object", file);
        for (const auto& [key, value] : entry.items()) {
          if (!value.is_string()) fail("{}: metadata '{}' is not a string", file, key);
          metadata_[key] = value.get<std::string>();
        }
        continue;
      }
      tensors_.emplace(name, parse_entry(file, name, entry, data_bytes, data));
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

SafetensorsFile::SafetensorsFile(SafetensorsFile&& other) noexcept
    : path_(std::move(other.path_)),
      map_(std::exchange(other.map_, nullptr)),
      map_bytes_(other.map_bytes_),
      tensors_(std::move(other.tensors_)),
      metadata_(std::move(other.metadata_)) {}

SafetensorsFile::~SafetensorsFile() {
  if (map_ != nullptr) ::munmap(map_, map_bytes_);
}

const TensorView& SafetensorsFile::tensor(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) fail("{}: missing tensor '{}'", path_.string(), name);
  return it->second;
}

void write_safetensors(const std::filesystem::path& path, std::span<const TensorToWrite> tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  std::vector<uint64_t> sizes;
  for (const auto& t : tensors) {
    uint64_t numel = 1;
    for (int64_t d : t.shape) numel *= static_cast<uint64_t>(d);
    uint64_t bytes = numel * dtype_size(t.dtype);
    header[t.name] = {{"dtype", dtype_name(t.dtype)},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + bytes}}};
    sizes.push_back(bytes);
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keeps the data 8-byte aligned
  uint64_t header_bytes = text.size();
  AtomicFile out(path);
  out.write(&header_bytes, 8);
  out.write(text);
  for (std::size_t i = 0; i < tensors.size(); ++i) out.write(tensors[i].data, sizes[i]);
  out.commit();
}

void read_flat_f32(const SafetensorsFile& file, const std::string& name, std::span<float> out) {
  const TensorView& t = file.tensor(name);
  if (t.dtype != DType::F32 || t.shape != std::vector<int64_t>{static_cast<int64_t>(out.size())})
    fail("{}: tensor '{}' is {} {}, expected F32 [{}]", file.path().string(), name,
         dtype_name(t.dtype), t.shape_string(), out.size());
  std::memcpy(out.data(), t.data, out.size() * sizeof(float));
}

}  // namespace foresight
