#include "lm/lm_network.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/kernels.hpp"
#include "core/parallel_rows.hpp"
#include "lm/attention_grad.hpp"
#include "lm/cross_entropy.hpp"
#include "lm/embedding.hpp"
#include "lm/linear.hpp"
#include "lm/parallel_gemm.hpp"
#include "lm/rms_norm_grad.hpp"
#include "lm/swiglu.hpp"

namespace foresight {

LmNetwork::LmNetwork(const ModelConfig& config, int64_t max_positions)
    : c_(config),
      rope_(config, max_positions),
      qkv_width_(int64_t{config.n_heads + 2 * config.n_kv_heads} * config.head_dim),
      qk_width_(int64_t{config.n_heads + config.n_kv_heads} * config.head_dim),
      q_width_(int64_t{config.n_heads} * config.head_dim),
      layers_(static_cast<size_t>(config.n_layers)) {
  check_trainable(config);
}

void LmNetwork::resize(int64_t n) {
  const auto sz = [](int64_t v) { return static_cast<size_t>(v); };
  const int64_t h = c_.hidden, inter = c_.intermediate, heads = c_.n_heads + c_.n_kv_heads;
  for (Layer& l : layers_) {
    l.x_in.resize(sz(n * h)), l.x_mid.resize(sz(n * h));
    l.attn_scale.resize(sz(n)), l.mlp_scale.resize(sz(n));
    l.qkv.resize(sz(n * qkv_width_)), l.qk.resize(sz(n * qk_width_));
    l.qk_scale.resize(sz(n * heads));
    l.attn.resize(sz(n * q_width_)), l.lse.resize(sz(n * c_.n_heads));
    l.gate_up.resize(sz(n * 2 * inter));
  }
  x_out_.resize(sz(n * h));
  h_.resize(sz(n * h)), dx_.resize(sz(n * h)), dh_.resize(sz(n * h));
  act_.resize(sz(n * inter)), dact_.resize(sz(n * inter)), dgate_up_.resize(sz(n * 2 * inter));
  dqkv_.resize(sz(n * qkv_width_)), dattn_.resize(sz(n * q_width_));
}

// Per token and head: RMSNorm with the q or k norm's weights, then RoPE, as the engine does.
void LmNetwork::qk_norm_rope_forward(const LmParameters& p, const LayerOffsets& o, const Batch& b,
                                     Layer& l) {
  const int d = c_.head_dim, heads = c_.n_heads + c_.n_kv_heads;
  const float* q_norm = p.at(o.q_norm);
  const float* k_norm = p.at(o.k_norm);
#pragma omp parallel for schedule(static)
  for (int64_t t = 0; t < b.rows(); ++t) {
    const float* raw = l.qkv.data() + t * qkv_width_;
    float* out = l.qk.data() + t * qk_width_;
    for (int hh = 0; hh < heads; ++hh)
      l.qk_scale[t * heads + hh] =
          rms_norm(raw + int64_t{hh} * d, hh < c_.n_heads ? q_norm : k_norm, d, c_.rms_eps,
                   out + int64_t{hh} * d);
    rope_.rotate(out, heads, b.positions[t], false);
  }
}

// dqkv holds the gradients of q and k after RoPE; afterwards, of the raw projections.
void LmNetwork::qk_norm_rope_backward(const LmParameters& p, const LayerOffsets& o, const Batch& b,
                                      const Layer& l, float* grads) {
  const int d = c_.head_dim, heads = c_.n_heads + c_.n_kv_heads;
  const float* q_norm = p.at(o.q_norm);
  const float* k_norm = p.at(o.k_norm);
  // q_norm and k_norm are adjacent in the layout: one partial of 2 * d per thread
  parallel_rows_sum(b.rows(), 2 * d, grads + o.q_norm, [&](int64_t begin, int64_t end, float* dw) {
    for (int64_t t = begin; t < end; ++t) {
      float* g = dqkv_.data() + t * qkv_width_;
      rope_.rotate(g, heads, b.positions[t], true);
      const float* raw = l.qkv.data() + t * qkv_width_;
      for (int hh = 0; hh < heads; ++hh) {
        const bool is_q = hh < c_.n_heads;
        rms_norm_vector_backward(raw + int64_t{hh} * d, is_q ? q_norm : k_norm,
                                 l.qk_scale[t * heads + hh], g + int64_t{hh} * d, d,
                                 g + int64_t{hh} * d, dw + (is_q ? 0 : d));
      }
    }
  });
}

double LmNetwork::forward(const LmParameters& p, const Batch& b) {
  if (b.max_length() > rope_.positions())
    fail("a sequence of {} tokens is longer than the network's {} positions", b.max_length(),
         rope_.positions());
  const SingleThreadedBlas blas;
  const int64_t n = b.rows(), h = c_.hidden, inter = c_.intermediate;
  resize(n);
  for (int32_t id : b.tokens)
    if (id < 0 || id >= c_.vocab)
      fail("token id {} is outside the vocabulary [0, {})", id, c_.vocab);
  embedding_forward(p.at(p.layout.embed()), b.tokens.data(), n, h, layers_[0].x_in.data());
  const AttentionShape shape{c_.n_heads, c_.n_kv_heads, c_.head_dim};
  const int32_t* until = b.visible_until.empty() ? nullptr : b.visible_until.data();
  for (int i = 0; i < c_.n_layers; ++i) {
    Layer& l = layers_[i];
    const LayerOffsets& o = p.layout.layer(i);
    rms_norm_forward(l.x_in.data(), p.at(o.attn_norm), n, h, c_.rms_eps, h_.data(),
                     l.attn_scale.data());
    linear_forward(h_.data(), n, p.at(o.qkv), qkv_width_, h, l.qkv.data());
    qk_norm_rope_forward(p, o, b, l);
    attention_forward(shape, b.offsets, until, {l.qk.data(), qk_width_},
                      {l.qk.data() + q_width_, qk_width_}, {l.qkv.data() + qk_width_, qkv_width_},
                      l.attn.data(), l.lse.data());
    std::copy(l.x_in.begin(), l.x_in.end(), l.x_mid.begin());
    linear_forward(l.attn.data(), n, p.at(o.o_proj), h, q_width_, l.x_mid.data(), true);
    rms_norm_forward(l.x_mid.data(), p.at(o.mlp_norm), n, h, c_.rms_eps, h_.data(),
                     l.mlp_scale.data());
    linear_forward(h_.data(), n, p.at(o.gate_up), 2 * inter, h, l.gate_up.data());
    swiglu_forward(l.gate_up.data(), n, inter, act_.data());
    std::vector<float>& next = i + 1 < c_.n_layers ? layers_[i + 1].x_in : x_out_;
    std::copy(l.x_mid.begin(), l.x_mid.end(), next.begin());
    linear_forward(act_.data(), n, p.at(o.down), h, inter, next.data(), true);
  }

  // The head only where a loss is taken: prompt rows need no logits.
  target_rows_.clear(), target_ids_.clear();
  for (int64_t t = 0; t < n; ++t)
    if (b.targets[t] >= 0) target_rows_.push_back(t), target_ids_.push_back(b.targets[t]);
  const auto m = static_cast<int64_t>(target_rows_.size());
  x_sel_.resize(m * h), h_final_.resize(m * h), final_scale_.resize(m);
  logits_.resize(m * c_.vocab);
  for (int64_t r = 0; r < m; ++r)
    std::copy_n(x_out_.data() + target_rows_[r] * h, h, x_sel_.data() + r * h);
  rms_norm_forward(x_sel_.data(), p.at(p.layout.final_norm()), m, h, c_.rms_eps, h_final_.data(),
                   final_scale_.data());
  linear_forward(h_final_.data(), m, p.at(p.layout.embed()), c_.vocab, h, logits_.data());
  return cross_entropy(logits_.data(), target_ids_.data(), m, c_.vocab, 0.0f, nullptr);
}

void LmNetwork::backward(const LmParameters& p, const Batch& b, float grad_scale,
                         std::span<float> grads) {
  if (grads.size() != p.values.size()) fail("backward: gradient buffer of the wrong size");
  const SingleThreadedBlas blas;
  const int64_t n = b.rows(), h = c_.hidden, inter = c_.intermediate;
  const auto m = static_cast<int64_t>(target_rows_.size());
  float* g = grads.data();
  const AttentionShape shape{c_.n_heads, c_.n_kv_heads, c_.head_dim};
  const int32_t* until = b.visible_until.empty() ? nullptr : b.visible_until.data();

  // Head: logits = norm(x) E^T with E the (tied) embedding, on the target rows.
  cross_entropy(logits_.data(), target_ids_.data(), m, c_.vocab, grad_scale, logits_.data());
  linear_backward_weight(logits_.data(), h_final_.data(), m, c_.vocab, h, g + p.layout.embed());
  float* d_final = h_final_.data();  // the norm's output is no longer needed: its gradient
  linear_backward_input(logits_.data(), m, p.at(p.layout.embed()), c_.vocab, h, d_final);
  std::fill_n(dh_.begin(), m * h, 0.0f);
  rms_norm_backward(x_sel_.data(), p.at(p.layout.final_norm()), final_scale_.data(), d_final, m, h,
                    dh_.data(), g + p.layout.final_norm());
  std::fill(dx_.begin(), dx_.end(), 0.0f);
  for (int64_t r = 0; r < m; ++r)
    std::copy_n(dh_.data() + r * h, h, dx_.data() + target_rows_[r] * h);

  // dx_ is the gradient of the residual stream leaving layer i; the residual connections add
  // each branch's input gradient into it.
  for (int i = c_.n_layers - 1; i >= 0; --i) {
    const Layer& l = layers_[i];
    const LayerOffsets& o = p.layout.layer(i);
    // MLP: x_out = x_mid + down(swiglu(gate_up(norm(x_mid))))
    swiglu_forward(l.gate_up.data(), n, inter, act_.data());
    linear_backward_weight(dx_.data(), act_.data(), n, h, inter, g + o.down);
    linear_backward_input(dx_.data(), n, p.at(o.down), h, inter, dact_.data());
    swiglu_backward(l.gate_up.data(), dact_.data(), n, inter, dgate_up_.data());
    rms_norm_recompute(l.x_mid.data(), p.at(o.mlp_norm), l.mlp_scale.data(), n, h, h_.data());
    linear_backward_weight(dgate_up_.data(), h_.data(), n, 2 * inter, h, g + o.gate_up);
    linear_backward_input(dgate_up_.data(), n, p.at(o.gate_up), 2 * inter, h, dh_.data());
    rms_norm_backward(l.x_mid.data(), p.at(o.mlp_norm), l.mlp_scale.data(), dh_.data(), n, h,
                      dx_.data(), g + o.mlp_norm);
    // Attention: x_mid = x_in + o_proj(attention(rope(norm(qkv(norm(x_in))))))
    linear_backward_weight(dx_.data(), l.attn.data(), n, h, q_width_, g + o.o_proj);
    linear_backward_input(dx_.data(), n, p.at(o.o_proj), h, q_width_, dattn_.data());
    attention_backward(shape, b.offsets, until, {l.qk.data(), qk_width_},
                       {l.qk.data() + q_width_, qk_width_}, {l.qkv.data() + qk_width_, qkv_width_},
                       l.attn.data(), l.lse.data(), dattn_.data(), {dqkv_.data(), qkv_width_},
                       {dqkv_.data() + q_width_, qkv_width_},
                       {dqkv_.data() + qk_width_, qkv_width_});
    qk_norm_rope_backward(p, o, b, l, g);
    rms_norm_recompute(l.x_in.data(), p.at(o.attn_norm), l.attn_scale.data(), n, h, h_.data());
    linear_backward_weight(dqkv_.data(), h_.data(), n, qkv_width_, h, g + o.qkv);
    linear_backward_input(dqkv_.data(), n, p.at(o.qkv), qkv_width_, h, dh_.data());
    rms_norm_backward(l.x_in.data(), p.at(o.attn_norm), l.attn_scale.data(), dh_.data(), n, h,
                      dx_.data(), g + o.attn_norm);
  }
  embedding_backward(b.tokens.data(), dx_.data(), n, h, g + p.layout.embed());
}

}  // namespace foresight
