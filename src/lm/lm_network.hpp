// The training forward and backward passes of the Qwen3 transformer over a packed batch. The
// forward computes the engine's function (engine/transformer.cpp) and keeps what the backward
// needs per layer: the residual stream, norm scales, q/k/v before and after their norms and
// RoPE, attention outputs and log-normalisers, and the MLP's pre-activations. Normalised
// inputs of linear layers and the SwiGLU output are recomputed instead of kept.
#pragma once
#include <span>
#include <vector>

#include "lm/batch.hpp"
#include "lm/lm_parameters.hpp"
#include "lm/rope_table.hpp"

namespace foresight {

class LmNetwork {
 public:
  // Sequences may hold up to max_positions tokens.
  LmNetwork(const ModelConfig& config, int64_t max_positions);

  // Returns the summed cross-entropy over the batch's targets.
  double forward(const LmParameters& params, const Batch& batch);
  // After forward: the logits of the rows with a target, in row order, [target_count, vocab].
  std::span<const float> logits() const { return logits_; }
  // grads += grad_scale * d(summed cross-entropy)/d(parameters) for the batch of the last
  // forward (grad_scale = 1 / target count gives the gradient of the mean). Overwrites the
  // logits with their gradient.
  void backward(const LmParameters& params, const Batch& batch, float grad_scale,
                std::span<float> grads);

 private:
  struct Layer {  // kept from the forward pass of one layer
    std::vector<float> x_in, attn_scale, qkv, qk_scale, qk, attn, lse, x_mid, mlp_scale, gate_up;
  };
  void resize(int64_t rows);
  void qk_norm_rope_forward(const LmParameters& p, const LayerOffsets& o, const Batch& b, Layer& l);
  void qk_norm_rope_backward(const LmParameters& p, const LayerOffsets& o, const Batch& b,
                             const Layer& l, float* grads);

  ModelConfig c_;
  RopeTable rope_;
  int64_t qkv_width_, qk_width_, q_width_;
  std::vector<Layer> layers_;
  std::vector<float> x_out_;          // the residual stream after the last layer
  std::vector<int64_t> target_rows_;  // rows with a target
  std::vector<int32_t> target_ids_;
  std::vector<float> x_sel_, final_scale_, h_final_, logits_;  // the head, on target rows only
  std::vector<float> h_, act_, dx_, dh_, dqkv_, dattn_, dgate_up_, dact_;  // shared scratch
};

}  // namespace foresight
