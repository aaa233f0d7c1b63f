// The judge (docs/method.md section 5): one small MLP per (layer, KV head) that scores every
// eviction candidate from its inputs x (judge/feature_set.hpp; the paper's: post-RoPE key (d),
// value (d), the 8 statistics of each of the g query heads of the group (8g), F = 2d + 8g):
//     pre = x W1 + b1 (H units, 16 by default),  h = GELU(pre),  phi = h . w2 + b2
// (higher phi = evict).
// GELU is the exact erf form, 0.5 z (1 + erf(z / sqrt 2)), PyTorch's nn.GELU() default.
// Parameters per layer: W1 [Hk, F, H], b1 [Hk, H], w2 [Hk, H, 1], b2 [Hk, 1], stored in
// one flat array, layer after layer, each layer's W1, b1, w2, b2 in turn, row-major (so a
// gradient or an optimiser state of the same layout lines up element by element). A judge of a
// standardised feature set also holds each input's mean and standard deviation per (layer, KV
// head), applied to x before W1; they are measured once, not trained.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "judge/feature_set.hpp"
#include "kv/attention_stats.hpp"
#include "model/config.hpp"

namespace foresight {

// The paper's width; wider judges (--hidden) trade scoring time for capacity.
constexpr int kJudgeHidden = 16;
constexpr int kMaxJudgeHidden = 256;

struct JudgeShape {
  int n_layers = 0, n_kv_heads = 0, head_dim = 0, group = 0;
  JudgeFeatureSet inputs;
  int hidden = kJudgeHidden;  // H, 1..kMaxJudgeHidden

  int features() const { return inputs.count(head_dim, group); }
  int64_t layer_parameters() const {
    return int64_t{n_kv_heads} * (int64_t{features()} * hidden + 2 * int64_t{hidden} + 1);
  }
  int64_t parameters() const { return layer_parameters() * n_layers; }
  static JudgeShape of(const ModelConfig& c, JudgeFeatureSet inputs = {},
                       int hidden = kJudgeHidden) {
    return {c.n_layers, c.n_kv_heads, c.head_dim, c.group(), inputs, hidden};
  }
  bool same_model(const JudgeShape& o) const {
    return n_layers == o.n_layers && n_kv_heads == o.n_kv_heads && head_dim == o.head_dim &&
           group == o.group;
  }
  bool operator==(const JudgeShape&) const = default;
};

// One (layer, KV head)'s MLP inside a parameter (or gradient) array: w1 [F, H], b1 [H],
// w2 [H], b2 [1].
template <typename T>
struct JudgeHeadParams {
  T* w1;
  T* b1;
  T* w2;
  T* b2;
  int features, hidden;
};
using JudgeHead = JudgeHeadParams<const float>;
using JudgeHeadGrad = JudgeHeadParams<float>;

// What a judge file says about where the judge comes from (its metadata).
struct JudgeInfo {
  std::string model;                // the model directory it was built for
  int budget = 0, evict_every = 0;  // B and L it was built (trained) for
  std::string budgets;              // every budget it was trained at, comma-separated ("" = budget)
  std::string stage = "init";       // init, sl or rl
  std::string command;              // the command that wrote it
  std::string recent;               // the --recent it was trained beside ("" = L)
};

class Judge {
 public:
  explicit Judge(JudgeShape shape);  // all parameters zero
  // Every parameter drawn from N(0, 0.02) by the project's Rng, in storage order.
  static Judge random(JudgeShape shape, uint64_t seed);

  const JudgeShape& shape() const { return shape_; }
  std::span<float> parameters() { return params_; }
  std::span<const float> parameters() const { return params_; }
  // The same slices of an array laid out like parameters() (e.g. a gradient).
  static JudgeHeadGrad head_in(std::span<float> array, const JudgeShape& shape, int layer,
                               int kv_head);
  JudgeHead head(int layer, int kv_head) const;
  // A layer's tensors, each contiguous over the KV heads: fc1.weight [Hk, F, H] (W1),
  // fc1.bias [Hk, H], fc2.weight [Hk, H, 1] (w2), fc2.bias [Hk, 1], and the input
  // standardisation x' = (x - mean) / std, [Hk, F] each (mean 0 and std 1 until set; not
  // parameters: the trainers never change them).
  enum class Tensor { Fc1Weight, Fc1Bias, Fc2Weight, Fc2Bias, InputMean, InputStd };
  std::span<float> tensor(int layer, Tensor t);
  std::span<const float> tensor(int layer, Tensor t) const;
  // Standardises the n rows of x [n, F] of one (layer, KV head) in place.
  void standardise(int layer, int kv_head, float* x, int n) const;
  // phi becomes s * phi (w2 and b2 scaled): the same ranking, so topk mode evicts the same
  // entries, while draws from the softmax of the pool (sample mode, GRPO) sharpen for s > 1.
  void scale_scores(float s);

  JudgeInfo info;

 private:
  JudgeShape shape_;
  std::vector<float> params_;
  std::vector<float> input_mean_, input_std_;  // [layer][Hk][F]
};

// phi[i] for the n candidates x [n, F]; `pre` [n, H] (may be null) keeps x W1 + b1 for the
// backward pass.
void judge_forward(const JudgeHead& p, const float* x, int n, float* phi, float* pre = nullptr);
// Adds to `grad` the gradient of sum_i dphi[i] * phi[i] with respect to the head's
// parameters, from the forward pass's x and pre.
void judge_backward(const JudgeHead& p, const float* x, const float* pre, const float* dphi, int n,
                    const JudgeHeadGrad& grad);

}  // namespace foresight
