// Writes a randomly initialised model in Hugging Face layout (config.json,
// generation_config.json, tokenizer.json, safetensors weights, sharded if asked). Tests use
// tiny ones for every architecture and dtype; benchmarks time a ~100M-parameter one.
#pragma once
#include <cstdint>
#include <filesystem>

#include "core/dtype.hpp"
#include "model/config.hpp"

namespace foresight {

struct RandomModelSpec {
  Architecture arch = Architecture::Qwen3;
  int hidden = 64, intermediate = 128, layers = 2, heads = 4, kv_heads = 2, head_dim = 16;
  int vocab = 0;  // 0: the byte-level tokenizer's size; larger pads with unused ids
  DType dtype = DType::F32;
  bool tie_embeddings = false;
  bool llama3_rope_scaling = false;
  bool attention_bias = false;  // Llama/Qwen3's q/k/v/o biases (Qwen2 always has q/k/v ones)
  int shards = 1;
  uint64_t seed = 1;

  static RandomModelSpec preset(const std::string& name);  // "tiny" or "100m"
};

void write_random_model(const std::filesystem::path& dir, const RandomModelSpec& spec);

}  // namespace foresight
