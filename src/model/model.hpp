// A loaded model: its config and its weights, memory-mapped from the safetensors files of a
// Hugging Face model directory or from a GGUF file, and validated (every tensor present,
// shapes right, no NaN).
#pragma once
#include <filesystem>
#include <memory>
#include <optional>
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
  // Converts every matrix (the embedding too) to this type at load time: F32, BF16, F16, or
  // Q8_0, quantised (its rows must be multiples of 32 values). By default they stay in their
  // stored type, converted to fp32 on the fly (BF16: half the bytes per decoded token of F32).
  std::optional<DType> weights;
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
  // Weights not used in place: copies converted to LoadOptions::weights, Llama's q and k from
  // GGUF in Hugging Face's row order.
  std::vector<std::unique_ptr<uint8_t[]>> owned_;
  Matrix embed_, lm_head_;
  std::vector<float> final_norm_;
  std::vector<LayerWeights> layers_;
};

}  // namespace foresight
