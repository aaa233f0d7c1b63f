#include "lm/rms_norm_grad.hpp"

#include <vector>

#include "core/kernels.hpp"
#include "core/parallel_rows.hpp"

namespace foresight {

void rms_norm_forward(const float* x, const float* w, int64_t rows, int64_t n, double eps, float* y,
                      float* scale) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) scale[r] = rms_norm(x + r * n, w, n, eps, y + r * n);
}

void rms_norm_recompute(const float* x, const float* w, const float* scale, int64_t rows, int64_t n,
                        float* y) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float s = scale[r];
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[r * n + i] = x[r * n + i] * s * w[i];
  }
}

void rms_norm_vector_backward(const float* x, const float* w, float scale, const float* dy,
                              int64_t n, float* dx, float* dw_partial) {
  // `omp simd`: -O2 leaves loops of unknown length scalar
  float dot = 0;
#pragma omp simd reduction(+ : dot)
  for (int64_t i = 0; i < n; ++i) {
    dot += x[i] * w[i] * dy[i];
    dw_partial[i] += x[i] * scale * dy[i];
  }
  const float c = scale * scale * scale * dot / static_cast<float>(n);
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) dx[i] = scale * w[i] * dy[i] - c * x[i];
}

void rms_norm_backward(const float* x, const float* w, const float* scale, const float* dy,
                       int64_t rows, int64_t n, float* dx, float* dw) {
  parallel_rows_sum(rows, n, dw, [&](int64_t begin, int64_t end, float* dw_partial) {
    std::vector<float> g(static_cast<size_t>(n));
    for (int64_t r = begin; r < end; ++r) {
      rms_norm_vector_backward(x + r * n, w, scale[r], dy + r * n, n, g.data(), dw_partial);
      add_inplace(dx + r * n, g.data(), n);
    }
  });
}

}  // namespace foresight
