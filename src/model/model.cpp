#include "model/model.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "model/gguf_config.hpp"
#include "model/gguf_names.hpp"

namespace foresight {

namespace {

// Whether n values of type t hold no NaN or infinity (Q8_0: its scales).
bool all_finite(DType t, const void* data, int64_t n) {
  bool finite = true;
  if (t == DType::Q8_0) {
    const auto* blocks = static_cast<const uint8_t*>(data);
#pragma omp parallel for reduction(&& : finite) schedule(static)
    for (int64_t b = 0; b < n / int64_t{kQ8Block}; ++b) {
      uint16_t d;
      std::memcpy(&d, blocks + b * int64_t{kQ8BlockBytes}, 2);
      finite = finite && std::isfinite(f16_to_f32(d));
    }
    return finite;
  }
#pragma omp parallel for reduction(&& : finite) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    float v;
    if (t == DType::F32) v = static_cast<const float*>(data)[i];
    else if (t == DType::BF16) v = bf16_to_f32(static_cast<const uint16_t*>(data)[i]);
    else v = f16_to_f32(static_cast<const uint16_t*>(data)[i]);
    finite = finite && std::isfinite(v);
  }
  return finite;
}

// Checks a weight the engine will use in place, and returns it.
const TensorView& check_weight(const std::filesystem::path& path, const TensorView& t,
                               const std::vector<int64_t>& shape) {
  const std::string file = path.string();
  if (t.shape != shape)
    fail("{}: tensor '{}' has shape {}, expected [{}]", file, t.name, t.shape_string(),
         fmt::join(shape, ", "));
  if (t.dtype != DType::F32 && t.dtype != DType::BF16 && t.dtype != DType::F16 &&
      t.dtype != DType::Q8_0)
    fail("{}: tensor '{}' has dtype {}; weights must be F32, BF16, F16 or Q8_0", file, t.name,
         dtype_name(t.dtype));
  // The kernels read weights as arrays of their type (Q8_0's blocks of 34 bytes at any
  // address). Writers keep tensors aligned (Hugging Face's pads the header and sorts tensors by
  // dtype); one that is not is corrupt.
  const std::size_t align = t.dtype == DType::Q8_0 ? 1 : dtype_size(t.dtype);
  if (reinterpret_cast<uintptr_t>(t.data) % align != 0)
    fail("{}: tensor '{}' is not aligned to its {}-byte elements", file, t.name, align);
  if (!all_finite(t.dtype, t.data, t.numel()))
    fail("{}: tensor '{}' holds NaN or infinite values", file, t.name);
  return t;
}

// Finds tensors by name across the model's files (one file or the shards of an index).
class TensorIndex {
 public:
  TensorIndex(const std::filesystem::path& dir, std::vector<SafetensorsFile>& files) {
    const auto single = dir / "model.safetensors";
    const auto index = dir / "model.safetensors.index.json";
    if (std::filesystem::exists(index)) {
      source_ = index;
      Json j = read_json_file(index);
      auto map = j.find("weight_map");
      if (!j.is_object() || map == j.end() || !map->is_object())
        fail("{}: missing 'weight_map'", index.string());
      std::map<std::string, size_t> shard_of_file;
      for (const auto& [name, shard] : map->items()) {
        if (!shard.is_string())
          fail("{}: weight_map['{}'] is not a file name", index.string(), name);
        const auto shard_name = shard.get<std::string>();
        if (shard_name.empty() || shard_name.find('/') != std::string::npos ||
            shard_name.starts_with("."))
          fail("{}: shard '{}' is not a plain file name", index.string(), shard_name);
        auto [it, added] = shard_of_file.emplace(shard_name, files.size());
        if (added) files.emplace_back(dir / shard_name);
        location_[name] = it->second;
      }
    } else if (std::filesystem::exists(single)) {
      source_ = single;
      files.emplace_back(single);
      for (const auto& [name, t] : files.back().tensors()) location_[name] = 0;
    } else {
      fail("{}: no model.safetensors or model.safetensors.index.json", dir.string());
    }
    files_ = &files;
  }

  const TensorView& get(const std::string& name, const std::vector<int64_t>& shape) const {
    auto it = location_.find(name);
    if (it == location_.end()) fail("{}: missing tensor '{}'", source_.string(), name);
    const SafetensorsFile& file = (*files_)[it->second];
    return check_weight(file.path(), file.tensor(name), shape);
  }

 private:
  std::filesystem::path source_;  // the index, or the one safetensors file
  std::map<std::string, size_t> location_;
  std::vector<SafetensorsFile>* files_ = nullptr;
};

// Finds the model's tensors by their Hugging Face names in a GGUF file, and notes which were
// taken, so that a tensor the architecture does not have is an error rather than ignored.
class GgufTensors {
 public:
  explicit GgufTensors(const GgufFile& file) : file_(file) {}

  const TensorView& get(const std::string& hf_name, const std::vector<int64_t>& shape) {
    const std::string name = gguf_tensor_name(hf_name);
    used_.insert(name);
    return check_weight(file_.path(), file_.tensor(name), shape);
  }

  void check_all_used() const {
    for (const auto& [name, t] : file_.tensors())
      if (!used_.contains(name) && name != kGgufRopeFreqs)
        fail("{}: tensor '{}' is not part of this {} model", file_.path().string(), name,
             file_.string("general.architecture"));
  }

 private:
  const GgufFile& file_;
  std::set<std::string> used_;
};

// `w` in type `to` at `out`, converted through fp32 a row at a time.
Matrix convert_rows(const Matrix& w, DType to, uint8_t* out) {
  const Matrix converted{to, w.rows, w.cols, out};
#pragma omp parallel
  {
    std::vector<float> row(static_cast<size_t>(w.cols));
#pragma omp for schedule(static)
    for (int64_t r = 0; r < w.rows; ++r) {
      convert_to_f32(w.dtype, w.row_ptr(r), row.data(), row.size());
      convert_from_f32(to, row.data(), out + r * converted.row_bytes(), row.size());
    }
  }
  return converted;
}

std::vector<float> to_vector(const TensorView& t) {
  std::vector<float> v(static_cast<size_t>(t.numel()));
  convert_to_f32(t.dtype, t.data, v.data(), v.size());
  return v;
}

}  // namespace

std::unique_ptr<Model> Model::load(const std::filesystem::path& path, LoadOptions options) {
  std::unique_ptr<Model> m(new Model());
  std::optional<TensorIndex> index;
  std::optional<GgufTensors> gguf;
  if (is_gguf_model(path)) {
    m->gguf_ = std::make_unique<GgufFile>(path);
    m->config_ = gguf_model_config(*m->gguf_);
    gguf.emplace(*m->gguf_);
  } else {
    m->config_ = ModelConfig::load(path);
    index.emplace(path, m->files_);
  }
  const ModelConfig& c = m->config_;
  m->rope_ = std::make_unique<Rope>(c);
  auto get = [&](const std::string& name, const std::vector<int64_t>& shape) -> const TensorView& {
    return gguf ? gguf->get(name, shape) : index->get(name, shape);
  };
  auto owned = [&](std::size_t bytes) { return m->owned_.emplace_back(new uint8_t[bytes]).get(); };
  // GGUF keeps Llama's q and k rows interleaved per head; the engine rotates halves.
  auto unpermute = [&](const std::string& name) { return gguf && gguf_permutes_rows(c, name); };

  auto matrix = [&](const std::string& name, int64_t rows, int64_t cols) {
    const TensorView& t = get(name, {rows, cols});
    Matrix w{t.dtype, rows, cols, t.data};
    if (unpermute(name)) {
      uint8_t* copy = owned(t.bytes);
      permute_head_rows(t.data, copy, rows, w.row_bytes(), c.head_dim, false);
      w.data = copy;
    }
    if (options.weights && *options.weights != t.dtype) {
      const DType to = *options.weights;
      if (to == DType::Q8_0 && cols % int64_t{kQ8Block} != 0)
        fail(
            "{}: tensor '{}' cannot be quantised to Q8_0: its rows of {} values are not blocks "
            "of {}",
            path.string(), t.name, cols, kQ8Block);
      w = convert_rows(w, to, owned(dtype_bytes(to, static_cast<size_t>(rows * cols))));
      // F16 overflows beyond 65504, Q8_0's fp16 scales beyond 65504 * 127
      if (!all_finite(to, w.data, rows * cols))
        fail("{}: tensor '{}' does not fit {}", path.string(), t.name, dtype_name(to));
    }
    return w;
  };
  auto vec = [&](const std::string& name, int64_t n) {
    std::vector<float> v = to_vector(get(name, {n}));
    if (unpermute(name)) {
      std::vector<float> ordered(v.size());
      permute_head_rows(v.data(), ordered.data(), n, sizeof(float), c.head_dim, false);
      v = std::move(ordered);
    }
    return v;
  };

  const int64_t hidden = c.hidden, q_dim = int64_t{c.n_heads} * c.head_dim,
                kv_dim = int64_t{c.n_kv_heads} * c.head_dim;
  m->embed_ = matrix("model.embed_tokens.weight", c.vocab, hidden);
  m->lm_head_ = c.tie_embeddings ? m->embed_ : matrix("lm_head.weight", c.vocab, hidden);
  m->final_norm_ = vec("model.norm.weight", hidden);
  for (int i = 0; i < c.n_layers; ++i) {
    const std::string p = fmt::format("model.layers.{}.", i);
    LayerWeights l;
    l.attn_norm = vec(p + "input_layernorm.weight", hidden);
    l.mlp_norm = vec(p + "post_attention_layernorm.weight", hidden);
    l.wq = matrix(p + "self_attn.q_proj.weight", q_dim, hidden);
    l.wk = matrix(p + "self_attn.k_proj.weight", kv_dim, hidden);
    l.wv = matrix(p + "self_attn.v_proj.weight", kv_dim, hidden);
    l.wo = matrix(p + "self_attn.o_proj.weight", hidden, q_dim);
    if (c.qkv_bias) {
      l.q_bias = vec(p + "self_attn.q_proj.bias", q_dim);
      l.k_bias = vec(p + "self_attn.k_proj.bias", kv_dim);
      l.v_bias = vec(p + "self_attn.v_proj.bias", kv_dim);
    }
    if (c.o_bias) l.o_bias = vec(p + "self_attn.o_proj.bias", hidden);
    if (c.qk_norm) {
      l.q_norm = vec(p + "self_attn.q_norm.weight", c.head_dim);
      l.k_norm = vec(p + "self_attn.k_norm.weight", c.head_dim);
    }
    l.w_gate = matrix(p + "mlp.gate_proj.weight", c.intermediate, hidden);
    l.w_up = matrix(p + "mlp.up_proj.weight", c.intermediate, hidden);
    l.w_down = matrix(p + "mlp.down_proj.weight", hidden, c.intermediate);
    m->layers_.push_back(std::move(l));
  }
  if (gguf) gguf->check_all_used();
  return m;
}

int64_t Model::weight_bytes() const {
  int64_t bytes = embed_.bytes() + (config_.tie_embeddings ? 0 : lm_head_.bytes());
  for (const auto& l : layers_)
    for (const Matrix* w : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down})
      bytes += w->bytes();
  return bytes;
}

}  // namespace foresight
