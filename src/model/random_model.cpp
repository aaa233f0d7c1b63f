#include "model/random_model.hpp"

#include <cmath>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json_file.hpp"
#include "core/rng.hpp"
#include "core/safetensors.hpp"
#include "model/byte_tokenizer.hpp"

namespace foresight {

namespace {

// Holds every tensor's bytes until they are written.
class TensorSet {
 public:
  TensorSet(DType dtype, uint64_t seed) : dtype_(dtype), rng_(seed) {}

  // Values mean + std * N(0, 1), stored in the model's dtype.
  void add(const std::string& name, std::vector<int64_t> shape, double mean, double std) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<uint8_t> bytes(static_cast<size_t>(n) * dtype_size(dtype_));
    std::vector<float> values(static_cast<size_t>(n));
    for (float& v : values) v = static_cast<float>(mean + std * rng_.normal());
    convert_from_f32(dtype_, values.data(), bytes.data(), values.size());
    names_.push_back(name);
    shapes_.push_back(std::move(shape));
    data_.push_back(std::move(bytes));
  }

  // Writes tensors [begin, end) to one file.
  void write(const std::filesystem::path& path, size_t begin, size_t end) const {
    std::vector<TensorToWrite> tensors;
    for (size_t i = begin; i < end; ++i)
      tensors.push_back({names_[i], dtype_, shapes_[i], data_[i].data()});
    write_safetensors(path, tensors, {{"format", "pt"}});
  }

  size_t size() const { return names_.size(); }
  const std::string& name(size_t i) const { return names_[i]; }

 private:
  DType dtype_;
  Rng rng_;
  std::vector<std::string> names_;
  std::vector<std::vector<int64_t>> shapes_;
  std::vector<std::vector<uint8_t>> data_;
};

}  // namespace

RandomModelSpec RandomModelSpec::preset(const std::string& name) {
  RandomModelSpec s;
  if (name == "tiny") return s;
  if (name == "100m") {  // about 101M parameters: 12 layers of width 768, a 32K vocabulary
    s.hidden = 768, s.intermediate = 2048, s.layers = 12, s.heads = 12, s.kv_heads = 4;
    s.head_dim = 64, s.vocab = 32768, s.dtype = DType::BF16, s.tie_embeddings = true;
    return s;
  }
  fail("unknown model preset '{}' (tiny, 100m)", name);
}

void write_random_model(const std::filesystem::path& dir, const RandomModelSpec& s) {
  const ByteTokenizer tok = make_byte_level_tokenizer();
  const int vocab = s.vocab == 0 ? tok.vocab_size : s.vocab;
  if (vocab < tok.vocab_size)
    fail("random model: vocab {} is smaller than the tokenizer's {} tokens", vocab, tok.vocab_size);
  if (s.shards < 1) fail("random model: shards must be >= 1");
  std::filesystem::create_directories(dir);

  ModelConfig c;
  c.arch = s.arch;
  c.hidden = s.hidden, c.intermediate = s.intermediate, c.n_layers = s.layers;
  c.n_heads = s.heads, c.n_kv_heads = s.kv_heads, c.head_dim = s.head_dim, c.vocab = vocab;
  c.max_position = 32768;
  c.tie_embeddings = s.tie_embeddings;
  c.set_architecture(s.arch, s.attention_bias);
  c.bos_id = tok.endoftext_id;
  c.eos_ids = {tok.endoftext_id};
  if (s.llama3_rope_scaling) c.rope_scaling = {8.0, 1.0, 4.0, 64, {}};
  const Json config = to_hf_config(c, s.dtype);
  Json generation = {{"eos_token_id", {tok.endoftext_id, tok.im_end_id}}};

  TensorSet t(s.dtype, s.seed);
  const int64_t h = s.hidden, q_dim = int64_t{s.heads} * s.head_dim,
                kv_dim = int64_t{s.kv_heads} * s.head_dim;
  const double in_std = 1.0 / std::sqrt(double(h));
  t.add("model.embed_tokens.weight", {vocab, h}, 0, 1.0);
  for (int i = 0; i < s.layers; ++i) {
    const std::string p = fmt::format("model.layers.{}.", i);
    t.add(p + "input_layernorm.weight", {h}, 1.0, 0.1);
    t.add(p + "self_attn.q_proj.weight", {q_dim, h}, 0, in_std);
    t.add(p + "self_attn.k_proj.weight", {kv_dim, h}, 0, in_std);
    t.add(p + "self_attn.v_proj.weight", {kv_dim, h}, 0, in_std);
    t.add(p + "self_attn.o_proj.weight", {h, q_dim}, 0, 1.0 / std::sqrt(double(q_dim)));
    if (c.qkv_bias) {
      t.add(p + "self_attn.q_proj.bias", {q_dim}, 0, 0.1);
      t.add(p + "self_attn.k_proj.bias", {kv_dim}, 0, 0.1);
      t.add(p + "self_attn.v_proj.bias", {kv_dim}, 0, 0.1);
    }
    if (c.o_bias) t.add(p + "self_attn.o_proj.bias", {h}, 0, 0.1);
    if (c.qk_norm) {
      t.add(p + "self_attn.q_norm.weight", {s.head_dim}, 1.0, 0.1);
      t.add(p + "self_attn.k_norm.weight", {s.head_dim}, 1.0, 0.1);
    }
    t.add(p + "post_attention_layernorm.weight", {h}, 1.0, 0.1);
    t.add(p + "mlp.gate_proj.weight", {s.intermediate, h}, 0, in_std);
    t.add(p + "mlp.up_proj.weight", {s.intermediate, h}, 0, in_std);
    t.add(p + "mlp.down_proj.weight", {h, s.intermediate}, 0,
          1.0 / std::sqrt(double(s.intermediate)));
  }
  t.add("model.norm.weight", {h}, 1.0, 0.1);
  if (!s.tie_embeddings) t.add("lm_head.weight", {vocab, h}, 0, in_std);

  write_file_atomic(dir / "config.json", config.dump(2) + "\n");
  write_file_atomic(dir / "generation_config.json", generation.dump(2) + "\n");
  write_file_atomic(dir / "tokenizer.json", tok.json);
  if (s.shards == 1) {
    t.write(dir / "model.safetensors", 0, t.size());
    return;
  }
  Json weight_map = Json::object();
  const size_t per_shard = (t.size() + s.shards - 1) / s.shards;
  for (int k = 0; k < s.shards; ++k) {
    const size_t begin = std::min(t.size(), k * per_shard),
                 end = std::min(t.size(), begin + per_shard);
    const std::string file = fmt::format("model-{:05d}-of-{:05d}.safetensors", k + 1, s.shards);
    t.write(dir / file, begin, end);
    for (size_t i = begin; i < end; ++i) weight_map[t.name(i)] = file;
  }
  write_file_atomic(dir / "model.safetensors.index.json",
                    Json{{"metadata", Json::object()}, {"weight_map", weight_map}}.dump(2) + "\n");
}

}  // namespace foresight
