// A loaded model: its config and its weights, memory-mapped from the safetensors files of a
// Hugging Face model directory or from a GGUF file, and validated (every tensor present,
// shapes right, no NaN).
#pragma once
#include <filesystem>
#include <memory>
#include <vector>

#include "core/gguf_file.hpp"
#include "core/matrix.hpp"
#include "core/safetensors.hpp"
#include "model/config.hpp"
#include "model/rope.hpp"

namespace foresight {

struct LayerWeights {
  std::vector<float> attn_norm, mlp_norm;
  std::vector<float> q_norm, k_norm;                  // Qwen3: per-head RMSNorm of q and k
  std::vector<float> q_bias, k_bias, v_bias, o_bias;  // empty when the model has none
  Matrix wq, wk, wv, wo, w_gate, w_up, w_down;
};

struct LoadOptions {
  // Converts BF16/F16 matrices to fp32 at load time; by default they stay in their stored
  // type and are converted on the fly (half the bytes per decoded token).
  bool weights_f32 = false;
};

class Model {
 public:
  // `path` is a model directory, or a GGUF file (src/model/gguf_config.hpp).
  static std::unique_ptr<Model> load(const std::filesystem::path& path, LoadOptions options = {});

  const ModelConfig& config() const { return config_; }
  const Rope& rope() const { return *rope_; }
  const std::vector<LayerWeights>& layers() const { return layers_; }
  const Matrix& embedding() const { return embed_; }
  const Matrix& lm_head() const { return lm_head_; }
  const std::vector<float>& final_norm() const { return final_norm_; }
  DType weight_dtype() const { return embed_.dtype; }
  int64_t weight_bytes() const;  // bytes of all weights as held in memory

 private:
  Model() = default;
  ModelConfig config_;
  std::unique_ptr<Rope> rope_;
  std::vector<SafetensorsFile> files_;
  std::unique_ptr<GgufFile> gguf_;
  // Weights not used in place: fp32 copies under weights_f32, Llama's q and k from GGUF in
  // Hugging Face's row order.
  std::vector<std::unique_ptr<uint8_t[]>> owned_;
  Matrix embed_, lm_head_;
  std::vector<float> final_norm_;
  std::vector<LayerWeights> layers_;
};

}  // namespace foresight
