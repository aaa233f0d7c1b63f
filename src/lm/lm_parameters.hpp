// The weights of the trained model (Qwen3 architecture, tied embeddings) in one flat fp32
// buffer, so that gradients and the optimizer's moments share its layout and every update is
// one loop. Each Hugging Face tensor is a contiguous slice; q/k/v and gate/up are adjacent,
// so each group is one matrix of stacked rows and one matrix product.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.hpp"
#include "optim/adamw.hpp"

namespace foresight {

// The hyper-parameters a training config chooses; everything else is fixed (Qwen3, tied
// embeddings, the byte-level tokenizer's vocabulary, no biases).
struct LmShape {
  int layers = 2, hidden = 64, heads = 4, kv_heads = 2, head_dim = 16, intermediate = 128;
  double rope_theta = 10000.0, rms_eps = 1e-6;
  int64_t max_positions = 4096;

  ModelConfig model_config() const;
  bool operator==(const LmShape&) const = default;
};

struct LayerOffsets {
  int64_t attn_norm, qkv, q_norm, k_norm, o_proj, mlp_norm, gate_up, down;
};

struct ParamTensor {
  std::string name;  // the Hugging Face name
  std::vector<int64_t> shape;
  int64_t offset = 0, size = 0;
  bool decay = false;  // weight decay applies (matrices, not norms)
};

class LmLayout {
 public:
  explicit LmLayout(const ModelConfig& config);
  int64_t size() const { return size_; }
  int64_t embed() const { return embed_; }
  int64_t final_norm() const { return final_norm_; }
  const LayerOffsets& layer(int i) const { return layers_[i]; }
  const std::vector<ParamTensor>& tensors() const { return tensors_; }

 private:
  int64_t add(std::string name, std::vector<int64_t> shape, bool decay);
  int64_t size_ = 0, embed_ = 0, final_norm_ = 0;
  std::vector<LayerOffsets> layers_;
  std::vector<ParamTensor> tensors_;
};

struct LmParameters {
  ModelConfig config;
  LmLayout layout;
  std::vector<float> values;

  const float* at(int64_t offset) const { return values.data() + offset; }
};

// AdamW over the buffer, a slice per tensor: the matrices decay, the norms do not.
AdamW make_adamw(const LmLayout& layout, AdamWSettings settings);

// Errors naming the setting unless the config is one the trainer supports: Qwen3 with tied
// embeddings and q/k norms, no biases or RoPE scaling.
void check_trainable(const ModelConfig& config);

// Norm weights 1, except the q/k norms: `qk_norm_init`; matrices N(0, init_std), the two that
// write into the residual stream (o_proj, down_proj) scaled by 1/sqrt(2 * layers) so the
// stream's variance does not grow with depth (GPT-2's initialisation). Deterministic in `seed`.
// Why the q/k norm gain: with q and k normalised, a head's logits are at most
// g_q g_k sqrt(head_dim), so with gains of 1 no head can single out one key among thousands
// until Adam has grown the gains, which takes thousands of steps and holds back the copying
// (induction) that the tasks need.
LmParameters init_parameters(const ModelConfig& config, double init_std, uint64_t seed,
                             double qk_norm_init = 1.0);

// A Hugging Face model directory the engine loads: config.json, generation_config.json (EOS
// = <|endoftext|> and <|im_end|>), tokenizer.json (the byte-level tokenizer) and
// model.safetensors in F32 (the weights as trained; the models are small enough that halving
// them is not worth the rounding). Every file is written atomically.
void write_hf_model(const std::filesystem::path& dir, const LmParameters& params);

// Overwrites params with the weights of dir/model.safetensors, as write_hf_model wrote them
// (fine-tuning starts from them); an Error names the file and the first tensor that is
// missing, extra, or not F32 of the configured shape.
void read_hf_weights(const std::filesystem::path& dir, LmParameters& params);

// Redraws the embedding rows of `tokens` (byte-level ids) in random directions, each as long
// as the other rows are on average; deterministic in `seed`. Why: a token a model never saw
// has its row pushed by the tied LM head away from every hidden state alike, so all such rows
// end up nearly parallel (the bundled model's Q..Z: cosine 0.87 between any two), and a
// fine-tuning that brings them into use cannot tell them apart as inputs.
void redraw_embedding_rows(LmParameters& params, std::string_view tokens, uint64_t seed);

}  // namespace foresight
