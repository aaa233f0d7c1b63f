#include "optim/adamw.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace foresight {

AdamW::AdamW(std::vector<ParamSlice> slices, AdamWSettings settings)
    : s_(settings), slices_(std::move(slices)) {
  const int64_t n = slices_.empty() ? 0 : slices_.back().offset + slices_.back().size;
  m_.assign(static_cast<size_t>(n), 0.0f);
  v_.assign(static_cast<size_t>(n), 0.0f);
}

AdamW::AdamW(int64_t n, AdamWSettings settings)
    : AdamW(std::vector<ParamSlice>{{0, n, true}}, settings) {}

void AdamW::update(std::span<float> params, std::span<const float> grads, double lr) {
  if (params.size() != m_.size() || grads.size() != m_.size())
    fail("AdamW: {} parameters and {} gradients for an optimizer of {}", params.size(),
         grads.size(), m_.size());
  ++steps_;
  // The same float operations as torch.optim.AdamW (single-tensor path), so that runs of the
  // two compare closely.
  const auto b1 = static_cast<float>(s_.beta1), b2 = static_cast<float>(s_.beta2);
  const auto eps = static_cast<float>(s_.eps);
  const double bc1 = 1 - std::pow(s_.beta1, double(steps_)),
               bc2 = 1 - std::pow(s_.beta2, double(steps_));
  const auto step_size = static_cast<float>(lr / bc1);
  const auto bc2_sqrt = static_cast<float>(std::sqrt(bc2));
  const auto decayed = static_cast<float>(1 - lr * s_.weight_decay);
#pragma omp parallel
  for (size_t t = 0; t < slices_.size(); ++t) {
    // Not a structured binding: clang (the fuzz build) cannot use one inside the omp for.
    const int64_t begin = slices_[t].offset, end = begin + slices_[t].size;
    const float shrink = slices_[t].decay ? decayed : 1.0f;
#pragma omp for simd schedule(static) nowait
    for (int64_t i = begin; i < end; ++i) {
      const float g = grads[i];
      m_[i] = m_[i] * b1 + g * (1 - b1);
      v_[i] = v_[i] * b2 + g * g * (1 - b2);
      params[i] = params[i] * shrink - step_size * (m_[i] / (std::sqrt(v_[i]) / bc2_sqrt + eps));
    }
  }
}

double clip_gradient_norm(std::span<float> grads, double max_norm) {
  const auto n = static_cast<int64_t>(grads.size());
  // Sums of squares over fixed blocks, then in block order: the same norm on any thread count
  // (and so in one process as across the ranks of a job).
  constexpr int64_t kBlock = 4096;
  std::vector<double> blocks(size_t((n + kBlock - 1) / kBlock));
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < int64_t(blocks.size()); ++b) {
    double s = 0;
    const int64_t end = std::min(n, (b + 1) * kBlock);
#pragma omp simd reduction(+ : s)
    for (int64_t i = b * kBlock; i < end; ++i) s += double(grads[i]) * grads[i];
    blocks[size_t(b)] = s;
  }
  double total_sq = 0;
  for (double s : blocks) total_sq += s;
  const double norm = std::sqrt(total_sq);
  if (max_norm > 0 && norm > max_norm) {
    const auto coef = static_cast<float>(max_norm / (norm + 1e-6));
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) grads[i] *= coef;
  }
  return norm;
}

}  // namespace foresight
