#include "judge/judge.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace foresight {

namespace {

template <typename T>
JudgeHeadParams<T> slice(T* base, const JudgeShape& s, int layer, int kv_head) {
  const int64_t F = s.features(), H = s.hidden, Hk = s.n_kv_heads;
  T* w1 = base + layer * s.layer_parameters();
  T* b1 = w1 + Hk * F * H;
  T* w2 = b1 + Hk * H;
  T* b2 = w2 + Hk * H;
  return {w1 + kv_head * F * H, b1 + kv_head * H, w2 + kv_head * H,
          b2 + kv_head,         s.features(),     s.hidden};
}

constexpr float kInvSqrt2 = 0.70710678118654752f, kInvSqrt2Pi = 0.39894228040143268f;

float gelu(float z) { return 0.5f * z * (1.0f + std::erf(z * kInvSqrt2)); }
// d/dz [z Phi(z)] = Phi(z) + z phi(z).
float gelu_grad(float z) {
  return 0.5f * (1.0f + std::erf(z * kInvSqrt2)) + z * kInvSqrt2Pi * std::exp(-0.5f * z * z);
}

}  // namespace

Judge::Judge(JudgeShape shape) : shape_(shape) {
  if (shape.n_layers < 1 || shape.n_kv_heads < 1 || shape.head_dim < 1 || shape.group < 1)
    fail("judge: bad shape ({} layers, {} KV heads, head dim {}, group {})", shape.n_layers,
         shape.n_kv_heads, shape.head_dim, shape.group);
  if (shape.hidden < 1 || shape.hidden > kMaxJudgeHidden)
    fail("judge: {} hidden units; a judge has 1 to {}", shape.hidden, kMaxJudgeHidden);
  params_.assign(size_t(shape.parameters()), 0.0f);
  const size_t inputs = size_t(shape.n_layers) * shape.n_kv_heads * shape.features();
  input_mean_.assign(inputs, 0.0f);
  input_std_.assign(inputs, 1.0f);
}

Judge Judge::random(JudgeShape shape, uint64_t seed) {
  Judge judge(shape);
  Rng rng(seed);
  for (float& p : judge.params_) p = static_cast<float>(0.02 * rng.normal());
  return judge;
}

JudgeHeadGrad Judge::head_in(std::span<float> array, const JudgeShape& shape, int layer,
                             int kv_head) {
  if (array.size() != size_t(shape.parameters()))
    fail("judge: an array of {} values does not hold the {} parameters", array.size(),
         shape.parameters());
  return slice(array.data(), shape, layer, kv_head);
}

JudgeHead Judge::head(int layer, int kv_head) const {
  return slice(params_.data(), shape_, layer, kv_head);
}

std::span<const float> Judge::tensor(int layer, Tensor t) const {
  const JudgeHead h = head(layer, 0);
  const int64_t Hk = shape_.n_kv_heads, F = shape_.features(), H = shape_.hidden;
  switch (t) {
    case Tensor::InputMean: return {input_mean_.data() + layer * Hk * F, size_t(Hk * F)};
    case Tensor::InputStd: return {input_std_.data() + layer * Hk * F, size_t(Hk * F)};
    case Tensor::Fc1Weight: return {h.w1, size_t(Hk * F * H)};
    case Tensor::Fc1Bias: return {h.b1, size_t(Hk * H)};
    case Tensor::Fc2Weight: return {h.w2, size_t(Hk * H)};
    case Tensor::Fc2Bias: return {h.b2, size_t(Hk)};
  }
  fail("judge: unknown tensor");
}

std::span<float> Judge::tensor(int layer, Tensor t) {
  const std::span<const float> view = std::as_const(*this).tensor(layer, t);
  return {const_cast<float*>(view.data()), view.size()};  // our own storage, not const
}

void Judge::scale_scores(float s) {
  for (int l = 0; l < shape_.n_layers; ++l)
    for (const Tensor t : {Tensor::Fc2Weight, Tensor::Fc2Bias})
      for (float& w : tensor(l, t)) w *= s;
}

void Judge::standardise(int layer, int kv_head, float* x, int n) const {
  if (!shape_.inputs.standardised()) return;
  const int F = shape_.features();
  const float* mean = tensor(layer, Tensor::InputMean).data() + int64_t{kv_head} * F;
  const float* sd = tensor(layer, Tensor::InputStd).data() + int64_t{kv_head} * F;
  for (int i = 0; i < n; ++i)
    for (int f = 0; f < F; ++f) x[int64_t{i} * F + f] = (x[int64_t{i} * F + f] - mean[f]) / sd[f];
}

void judge_forward(const JudgeHead& p, const float* x, int n, float* phi, float* pre) {
  const int F = p.features, H = p.hidden;
  for (int i = 0; i < n; ++i) {
    float z[kMaxJudgeHidden];
    std::copy(p.b1, p.b1 + H, z);
    const float* xi = x + int64_t{i} * F;
    for (int f = 0; f < F; ++f)  // the units side by side: 16 fill two AVX2 registers per input
      for (int k = 0; k < H; ++k) z[k] += xi[f] * p.w1[f * H + k];
    float out = p.b2[0];
    for (int k = 0; k < H; ++k) out += gelu(z[k]) * p.w2[k];
    phi[i] = out;
    if (pre != nullptr) std::copy(z, z + H, pre + int64_t{i} * H);
  }
}

void judge_backward(const JudgeHead& p, const float* x, const float* pre, const float* dphi, int n,
                    const JudgeHeadGrad& g) {
  const int F = p.features, H = p.hidden;
  for (int i = 0; i < n; ++i) {
    const float* z = pre + int64_t{i} * H;
    const float* xi = x + int64_t{i} * F;
    float dz[kMaxJudgeHidden];
    g.b2[0] += dphi[i];
    for (int k = 0; k < H; ++k) {
      g.w2[k] += dphi[i] * gelu(z[k]);
      dz[k] = dphi[i] * p.w2[k] * gelu_grad(z[k]);
      g.b1[k] += dz[k];
    }
    for (int f = 0; f < F; ++f)
      for (int k = 0; k < H; ++k) g.w1[f * H + k] += xi[f] * dz[k];
  }
}

}  // namespace foresight
