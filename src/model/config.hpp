// The model hyper-parameters, read from a Hugging Face config.json.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/dtype.hpp"
#include "core/json_file.hpp"
#include "model/architecture.hpp"

namespace foresight {

struct RopeScaling {  // the "llama3" frequency-dependent scaling; factor 0 means none
  double factor = 0, low_freq_factor = 0, high_freq_factor = 0;
  int64_t original_max_position = 0;
  // The same scaling as a GGUF file gives it (rope_freqs.weight): frequency j is divided by
  // freq_factors[j]. Empty unless the model came from a GGUF file, where factor is 0.
  std::vector<double> freq_factors;
  bool active() const { return factor != 0 || !freq_factors.empty(); }
};

// Bounds on the sizes a model file may claim, checked before anything is allocated.
inline constexpr int64_t kMaxModelDim = 1 << 17, kMaxModelVocab = 1 << 22;

struct ModelConfig {
  Architecture arch = Architecture::Qwen3;
  std::string arch_name;  // as written in config.json, e.g. "Qwen3ForCausalLM"
  int hidden = 0, intermediate = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0, head_dim = 0;
  int vocab = 0;
  int64_t max_position = 0;
  double rope_theta = 10000.0, rms_eps = 1e-6;
  RopeScaling rope_scaling;
  bool tie_embeddings = false;
  bool qkv_bias = false;         // Qwen2 always; Llama/Qwen3 when attention_bias
  bool o_bias = false;           // Llama/Qwen3 attention_bias
  bool qk_norm = false;          // Qwen3
  std::vector<int32_t> eos_ids;  // from generation_config.json, else config.json
  int32_t bos_id = -1;

  int group() const { return n_heads / n_kv_heads; }
  int64_t parameter_count() const;
  // Bytes of KV cache per token with fp32 storage: every layer, every KV head, key and value.
  int64_t kv_bytes_per_token() const { return int64_t{n_layers} * n_kv_heads * 2 * head_dim * 4; }
  // Sets arch, arch_name, qk_norm and the biases from the architecture's rules and
  // config.json's attention_bias (Qwen2's q/k/v biases are implied; attention_bias adds the
  // others' q/k/v and output biases).
  void set_architecture(Architecture a, bool attention_bias);
  // Errors naming `file` for heads the attention cannot use: num_attention_heads not a
  // multiple of num_key_value_heads, an odd or zero head_dim.
  void check_heads(const std::string& file) const;

  // Reads DIR/config.json and, when present, DIR/generation_config.json; or the metadata of
  // a GGUF file when `model` is a file (src/model/gguf_config.hpp).
  static ModelConfig load(const std::filesystem::path& model);
};

std::string architecture_name(Architecture a);

// The config.json of a model with this config and weights stored as `dtype`; the inverse of
// ModelConfig::load (without generation_config.json, which holds the EOS ids separately).
Json to_hf_config(const ModelConfig& config, DType dtype);

}  // namespace foresight
