#include "lm/lm_parameters.hpp"

#include <cmath>
#include <cstring>

#include <fmt/ranges.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/safetensors.hpp"
#include "model/byte_tokenizer.hpp"

namespace foresight {

ModelConfig LmShape::model_config() const {
  const ByteTokenizer tok = make_byte_level_tokenizer();
  ModelConfig c;
  c.set_architecture(Architecture::Qwen3, false);
  c.hidden = hidden, c.intermediate = intermediate, c.n_layers = layers;
  c.n_heads = heads, c.n_kv_heads = kv_heads, c.head_dim = head_dim;
  c.vocab = tok.vocab_size;
  c.max_position = max_positions;
  c.rope_theta = rope_theta, c.rms_eps = rms_eps;
  c.tie_embeddings = true;
  c.bos_id = tok.endoftext_id;
  c.eos_ids = {tok.endoftext_id, tok.im_end_id};
  return c;
}

LmLayout::LmLayout(const ModelConfig& c) {
  const int64_t h = c.hidden, d = c.head_dim, q = int64_t{c.n_heads} * d,
                kv = int64_t{c.n_kv_heads} * d, inter = c.intermediate;
  embed_ = add("model.embed_tokens.weight", {c.vocab, h}, true);
  for (int i = 0; i < c.n_layers; ++i) {
    const std::string p = fmt::format("model.layers.{}.", i);
    LayerOffsets l{};
    l.attn_norm = add(p + "input_layernorm.weight", {h}, false);
    l.qkv = add(p + "self_attn.q_proj.weight", {q, h}, true);
    add(p + "self_attn.k_proj.weight", {kv, h}, true);
    add(p + "self_attn.v_proj.weight", {kv, h}, true);
    l.q_norm = add(p + "self_attn.q_norm.weight", {d}, false);
    l.k_norm = add(p + "self_attn.k_norm.weight", {d}, false);
    l.o_proj = add(p + "self_attn.o_proj.weight", {h, q}, true);
    l.mlp_norm = add(p + "post_attention_layernorm.weight", {h}, false);
    l.gate_up = add(p + "mlp.gate_proj.weight", {inter, h}, true);
    add(p + "mlp.up_proj.weight", {inter, h}, true);
    l.down = add(p + "mlp.down_proj.weight", {h, inter}, true);
    layers_.push_back(l);
  }
  final_norm_ = add("model.norm.weight", {h}, false);
}

int64_t LmLayout::add(std::string name, std::vector<int64_t> shape, bool decay) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  tensors_.push_back({std::move(name), std::move(shape), size_, n, decay});
  size_ += n;
  return size_ - n;
}

AdamW make_adamw(const LmLayout& layout, AdamWSettings settings) {
  std::vector<ParamSlice> slices;
  for (const ParamTensor& t : layout.tensors()) slices.push_back({t.offset, t.size, t.decay});
  return AdamW(std::move(slices), settings);
}

void check_trainable(const ModelConfig& c) {
  if (c.arch != Architecture::Qwen3) fail("the trainer builds Qwen3 models, not {}", c.arch_name);
  if (!c.tie_embeddings) fail("the trainer needs tied embeddings (tie_word_embeddings)");
  if (!c.qk_norm || c.qkv_bias || c.o_bias)
    fail("the trainer supports Qwen3 without attention biases");
  if (c.rope_scaling.active()) fail("the trainer does not support rope_scaling");
  if (c.head_dim % 2 != 0) fail("head_dim {} must be even for RoPE", c.head_dim);
  if (c.n_heads % c.n_kv_heads != 0)
    fail("heads {} must be a multiple of kv_heads {}", c.n_heads, c.n_kv_heads);
}

LmParameters init_parameters(const ModelConfig& config, double init_std, uint64_t seed,
                             double qk_norm_init) {
  check_trainable(config);
  LmParameters p{config, LmLayout(config), {}};
  p.values.resize(static_cast<size_t>(p.layout.size()));
  Rng rng(seed);
  const double residual_std = init_std / std::sqrt(2.0 * config.n_layers);
  for (const ParamTensor& t : p.layout.tensors()) {
    float* v = p.values.data() + t.offset;
    if (!t.decay) {
      const bool qk = t.name.ends_with("q_norm.weight") || t.name.ends_with("k_norm.weight");
      std::fill(v, v + t.size, qk ? static_cast<float>(qk_norm_init) : 1.0f);
      continue;
    }
    const bool residual = t.name.ends_with("o_proj.weight") || t.name.ends_with("down_proj.weight");
    const double std = residual ? residual_std : init_std;
    for (int64_t i = 0; i < t.size; ++i) v[i] = static_cast<float>(std * rng.normal());
  }
  return p;
}

void redraw_embedding_rows(LmParameters& params, std::string_view tokens, uint64_t seed) {
  const int64_t hidden = params.config.hidden, vocab = params.config.vocab;
  float* table = params.values.data() + params.layout.embed();
  auto row_norm = [&](int64_t t) {
    double sum = 0;
    for (int64_t i = 0; i < hidden; ++i)
      sum += double(table[t * hidden + i]) * table[t * hidden + i];
    return std::sqrt(sum);
  };
  std::vector<bool> fresh(size_t(vocab), false);
  for (const char c : tokens) {
    const unsigned char t = static_cast<unsigned char>(c);
    if (t >= vocab) fail("fresh token {} is outside the vocabulary of {} tokens", int(t), vocab);
    fresh[t] = true;
  }
  double total = 0;
  int64_t kept = 0;
  for (int64_t t = 0; t < vocab; ++t)
    if (!fresh[size_t(t)]) total += row_norm(t), ++kept;
  const double target = kept > 0 ? total / double(kept) : 1.0;
  Rng rng(seed);
  for (int64_t t = 0; t < vocab; ++t) {
    if (!fresh[size_t(t)]) continue;
    for (int64_t i = 0; i < hidden; ++i) table[t * hidden + i] = static_cast<float>(rng.normal());
    const double scale = target / row_norm(t);
    for (int64_t i = 0; i < hidden; ++i) table[t * hidden + i] *= static_cast<float>(scale);
  }
}

void write_hf_model(const std::filesystem::path& dir, const LmParameters& p) {
  std::filesystem::create_directories(dir);
  write_file_atomic(dir / "config.json", to_hf_config(p.config, DType::F32).dump(2) + "\n");
  const Json generation = {{"eos_token_id", p.config.eos_ids}};
  write_file_atomic(dir / "generation_config.json", generation.dump(2) + "\n");
  write_file_atomic(dir / "tokenizer.json", make_byte_level_tokenizer().json);
  std::vector<TensorToWrite> tensors;
  for (const ParamTensor& t : p.layout.tensors())
    tensors.push_back({t.name, DType::F32, t.shape, p.at(t.offset)});
  write_safetensors(dir / "model.safetensors", tensors, {{"format", "pt"}});
}

void read_hf_weights(const std::filesystem::path& dir, LmParameters& p) {
  const SafetensorsFile file(dir / "model.safetensors");
  const std::string where = file.path().string();
  for (const ParamTensor& t : p.layout.tensors()) {
    if (!file.contains(t.name))
      fail("{}: no tensor '{}' (a model of another shape?)", where, t.name);
    const TensorView& v = file.tensor(t.name);
    if (v.dtype != DType::F32 || v.shape != t.shape)
      fail("{}: tensor '{}' is {} {}, the configured model needs F32 [{}]", where, t.name,
           dtype_name(v.dtype), v.shape_string(), fmt::join(t.shape, ", "));
    std::memcpy(p.values.data() + t.offset, v.data, size_t(t.size) * sizeof(float));
  }
  if (file.tensors().size() != p.layout.tensors().size())
    fail("{}: holds {} tensors, the configured model {}", where, file.tensors().size(),
         p.layout.tensors().size());
}

}  // namespace foresight
