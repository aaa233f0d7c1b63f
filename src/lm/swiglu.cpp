#include "lm/swiglu.hpp"

#include <immintrin.h>
#include <cmath>

#include "core/simd.hpp"

namespace foresight {

namespace {

inline __m256 sigmoid256(__m256 g) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp256(_mm256_sub_ps(_mm256_setzero_ps(), g))));
}

inline float sigmoid(float g) { return 1.0f / (1.0f + std::exp(-g)); }

}  // namespace

void swiglu_forward(const float* gate_up, int64_t rows, int64_t width, float* act) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* gate = gate_up + r * 2 * width;
    const float* up = gate + width;
    float* a = act + r * width;
    int64_t i = 0;
    for (; i + 8 <= width; i += 8) {
      const __m256 g = _mm256_loadu_ps(gate + i);
      _mm256_storeu_ps(a + i,
                       _mm256_mul_ps(_mm256_mul_ps(g, sigmoid256(g)), _mm256_loadu_ps(up + i)));
    }
    for (; i < width; ++i) a[i] = gate[i] * sigmoid(gate[i]) * up[i];
  }
}

void swiglu_backward(const float* gate_up, const float* d_act, int64_t rows, int64_t width,
                     float* d_gate_up) {
  // d up = d_act * silu(g); d gate = d_act * up * sigmoid(g) * (1 + g * (1 - sigmoid(g)))
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* gate = gate_up + r * 2 * width;
    const float* up = gate + width;
    const float* da = d_act + r * width;
    float* dg = d_gate_up + r * 2 * width;
    float* du = dg + width;
    int64_t i = 0;
    const __m256 one = _mm256_set1_ps(1.0f);
    for (; i + 8 <= width; i += 8) {
      const __m256 g = _mm256_loadu_ps(gate + i), u = _mm256_loadu_ps(up + i);
      const __m256 d = _mm256_loadu_ps(da + i), s = sigmoid256(g);
      _mm256_storeu_ps(du + i, _mm256_mul_ps(d, _mm256_mul_ps(g, s)));
      const __m256 ds = _mm256_fmadd_ps(g, _mm256_sub_ps(one, s), one);
      _mm256_storeu_ps(dg + i, _mm256_mul_ps(_mm256_mul_ps(d, u), _mm256_mul_ps(s, ds)));
    }
    for (; i < width; ++i) {
      const float s = sigmoid(gate[i]);
      du[i] = da[i] * gate[i] * s;
      dg[i] = da[i] * up[i] * s * (1.0f + gate[i] * (1.0f - s));
    }
  }
}

}  // namespace foresight
