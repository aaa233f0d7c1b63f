#include "model/gguf_config.hpp"

#include <charconv>
#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "model/gguf_names.hpp"

namespace foresight {

namespace {

// GGUF keeps these values as F32. A config.json holds short decimals (1e-06, 1000000.0), so
// the shortest decimal that rounds to the stored F32 gives back the exact double the
// Hugging Face config had, and an exported model computes as the original did.
double f32_decimal(double stored) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof(text), static_cast<float>(stored)).ptr;
  double value = stored;
  std::from_chars(text, end, value);
  return value;
}

// llama.cpp's general.file_type: all F32, mostly F16, mostly BF16, mostly Q8_0.
uint32_t file_type(DType dtype) {
  switch (dtype) {
    case DType::F32: return 0;
    case DType::F16: return 1;
    case DType::Q8_0: return 7;
    default: return 32;
  }
}

int32_t token_id(const GgufFile& file, const std::string& key, int vocab) {
  return static_cast<int32_t>(file.integer(key, 0, vocab - 1));
}

std::vector<double> rope_freq_factors(const GgufFile& file, int head_dim) {
  if (!file.contains_tensor(kGgufRopeFreqs)) return {};
  const TensorView& t = file.tensor(kGgufRopeFreqs);
  const std::string where = fmt::format("{}: tensor '{}'", file.path().string(), t.name);
  if (t.dtype != DType::F32 || t.shape != std::vector<int64_t>{head_dim / 2})
    fail("{} is {} {}, expected F32 [{}]", where, dtype_name(t.dtype), t.shape_string(),
         head_dim / 2);
  std::vector<float> values(static_cast<size_t>(head_dim / 2));
  convert_to_f32(t.dtype, t.data, values.data(), values.size());
  std::vector<double> factors;
  for (float v : values) {
    if (!(std::isfinite(v) && v > 0)) fail("{} holds {}, not a positive divisor", where, v);
    factors.push_back(v);
  }
  return factors;
}

}  // namespace

bool is_gguf_model(const std::filesystem::path& path) {
  return std::filesystem::is_regular_file(path);
}

void add_gguf_config(GgufWriter& out, const ModelConfig& c, DType dtype) {
  const std::string arch(architecture_info(c.arch).model_type);
  out.add_string("general.architecture", arch);
  out.add_u32("general.file_type", file_type(dtype));
  out.add_u32(arch + ".vocab_size", c.vocab);
  out.add_u32(arch + ".context_length", static_cast<uint32_t>(c.max_position));
  out.add_u32(arch + ".embedding_length", c.hidden);
  out.add_u32(arch + ".block_count", c.n_layers);
  out.add_u32(arch + ".feed_forward_length", c.intermediate);
  out.add_u32(arch + ".attention.head_count", c.n_heads);
  out.add_u32(arch + ".attention.head_count_kv", c.n_kv_heads);
  out.add_u32(arch + ".attention.key_length", c.head_dim);
  out.add_u32(arch + ".attention.value_length", c.head_dim);
  out.add_u32(arch + ".rope.dimension_count", c.head_dim);
  out.add_f32(arch + ".rope.freq_base", static_cast<float>(c.rope_theta));
  out.add_f32(arch + ".attention.layer_norm_rms_epsilon", static_cast<float>(c.rms_eps));
  if (c.bos_id >= 0) out.add_u32("tokenizer.ggml.bos_token_id", c.bos_id);
  if (!c.eos_ids.empty()) out.add_u32("tokenizer.ggml.eos_token_id", c.eos_ids[0]);
  if (c.eos_ids.size() > 1) out.add_i32s("foresight.eos_token_ids", c.eos_ids);
}

ModelConfig gguf_model_config(const GgufFile& file) {
  const std::string name = file.path().string();
  const std::string arch(file.string("general.architecture"));
  const ArchitectureInfo* info = find_architecture(arch);
  if (!info || info->model_type != arch)
    fail("{}: key 'general.architecture': '{}' is not supported ({} are)", name, arch,
         architecture_list(false));
  auto key = [&](const char* suffix) { return arch + "." + suffix; };
  auto dim = [&](const char* suffix, int64_t hi) {
    return static_cast<int>(file.integer(key(suffix), 1, hi));
  };
  ModelConfig c;
  c.hidden = dim("embedding_length", kMaxModelDim);
  c.intermediate = dim("feed_forward_length", kMaxModelDim * 8);
  c.n_layers = dim("block_count", 1024);
  c.n_heads = dim("attention.head_count", 1024);
  c.n_kv_heads = file.contains(key("attention.head_count_kv"))
                     ? dim("attention.head_count_kv", c.n_heads)
                     : c.n_heads;
  c.head_dim = file.contains(key("attention.key_length")) ? dim("attention.key_length", 1024)
                                                          : c.hidden / c.n_heads;
  for (const char* same : {"attention.value_length", "rope.dimension_count"})
    if (file.contains(key(same)) && file.integer(key(same), 0, INT64_MAX) != c.head_dim)
      fail("{}: key '{}' differs from the head size {}; only equal sizes are supported", name,
           key(same), c.head_dim);
  c.check_heads(name);
  c.max_position = file.integer(key("context_length"), 1, int64_t{1} << 30);
  c.rope_theta = file.contains(key("rope.freq_base"))
                     ? f32_decimal(file.number(key("rope.freq_base")))
                     : 10000.0;
  c.rms_eps = f32_decimal(file.number(key("attention.layer_norm_rms_epsilon")));
  if (!(c.rope_theta >= 1 && c.rope_theta <= 1e12) || !(c.rms_eps > 0 && c.rms_eps <= 1))
    fail("{}: rope.freq_base {} or layer_norm_rms_epsilon {} is out of range", name, c.rope_theta,
         c.rms_eps);
  if (file.contains(key("rope.scaling.type")) && file.string(key("rope.scaling.type")) != "none")
    fail("{}: key '{}': '{}' RoPE scaling is not supported", name, key("rope.scaling.type"),
         file.string(key("rope.scaling.type")));
  c.rope_scaling.freq_factors = rope_freq_factors(file, c.head_dim);

  const TensorView& embed = file.tensor("token_embd.weight");
  if (embed.shape.size() != 2 || embed.shape[0] < 1 || embed.shape[0] > kMaxModelVocab)
    fail("{}: tensor 'token_embd.weight' has shape {}, not [vocab, {}]", name, embed.shape_string(),
         c.hidden);
  c.vocab = static_cast<int>(embed.shape[0]);
  c.tie_embeddings = !file.contains_tensor("output.weight");
  c.set_architecture(info->arch, false);
  // Biases as the first layer has them (the loader then requires them in every layer).
  c.qkv_bias = c.qkv_bias || file.contains_tensor("blk.0.attn_q.bias");
  c.o_bias = file.contains_tensor("blk.0.attn_output.bias");

  if (file.contains("tokenizer.ggml.bos_token_id"))
    c.bos_id = token_id(file, "tokenizer.ggml.bos_token_id", c.vocab);
  if (file.contains("foresight.eos_token_ids")) {
    for (int64_t id : file.integers("foresight.eos_token_ids")) {
      if (id < 0 || id >= c.vocab)
        fail("{}: key 'foresight.eos_token_ids' holds {}, not a token id below {}", name, id,
             c.vocab);
      c.eos_ids.push_back(static_cast<int32_t>(id));
    }
  } else if (file.contains("tokenizer.ggml.eos_token_id")) {
    c.eos_ids = {token_id(file, "tokenizer.ggml.eos_token_id", c.vocab)};
  }
  return c;
}

}  // namespace foresight
