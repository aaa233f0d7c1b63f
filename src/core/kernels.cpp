#include "core/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <immintrin.h>

#include "core/simd.hpp"

namespace foresight {

float rms_norm(const float* x, const float* weight, int64_t n, double eps, float* out) {
  // `omp simd` vectorises what -O2's cost model leaves scalar (loops of unknown length).
  double sum_sq = 0;
#pragma omp simd reduction(+ : sum_sq)
  for (int64_t i = 0; i < n; ++i) sum_sq += static_cast<double>(x[i]) * x[i];
  const auto scale = static_cast<float>(1.0 / std::sqrt(sum_sq / static_cast<double>(n) + eps));
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale * weight[i];
  return scale;
}

void rms_norm_rows(const float* x, const float* weight, int64_t rows, int64_t n, double eps,
                   float* out) {
  for (int64_t r = 0; r < rows; ++r) rms_norm(x + r * n, weight, n, eps, out + r * n);
}

double softmax(float* x, int64_t n) {
  float max = -INFINITY;
  for (int64_t i = 0; i < n; ++i) max = std::max(max, x[i]);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  const auto inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
  return static_cast<double>(max) + std::log(sum);
}

void silu_mul(float* gate, const float* up, int64_t n) {
  for (int64_t i = 0; i < n; ++i) gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

void add_inplace(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

float dot(const float* a, const float* b, int64_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  float s = hsum(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

namespace {

// Scores four rows r[0..3] against q in one pass (n a multiple of 8). Each row's sum depends
// only on that row, so a row scores the same whichever rows share its pass.
[[gnu::always_inline]] inline __m128 dot_four_rows(const float* q, const float* const r[4],
                                                   int64_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  for (int64_t i = 0; i < n; i += 8) {
    const __m256 qv = _mm256_loadu_ps(q + i);
    a0 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(r[0] + i), a0);
    a1 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(r[1] + i), a1);
    a2 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(r[2] + i), a2);
    a3 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(r[3] + i), a3);
  }
  // pairwise adds leave each row's sum of lanes 0-3 in the low half, of 4-7 in the high
  const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
  return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

}  // namespace

void dot_rows(const float* q, const float* rows, int64_t count, int64_t n, float scale,
              float* out) {
  if (n % 8 != 0) {
    for (int64_t j = 0; j < count; ++j) out[j] = dot(q, rows + j * n, n) * scale;
    return;
  }
  const __m128 scales = _mm_set1_ps(scale);
  for (int64_t j = 0; j < count; j += 4) {
    // the last pass repeats its last row in the missing places, so a key's score never depends
    // on how many keys are visible (the same summation order for every row)
    const float* r[4];
    for (int64_t k = 0; k < 4; ++k) r[k] = rows + std::min(j + k, count - 1) * n;
    const __m128 sums = _mm_mul_ps(dot_four_rows(q, r, n), scales);
    if (j + 4 <= count) {
      _mm_storeu_ps(out + j, sums);
    } else {
      alignas(16) float tail[4];
      _mm_store_ps(tail, sums);
      std::copy(tail, tail + (count - j), out + j);
    }
  }
}

namespace {

// Columns [i, i + 8 * V) of weighted_rows, in V accumulators.
template <int V>
void weighted_columns(const float* w, const float* rows, int64_t count, int64_t n, int64_t i,
                      float* out) {
  __m256 acc[V];
  for (int v = 0; v < V; ++v) acc[v] = _mm256_setzero_ps();
  for (int64_t j = 0; j < count; ++j) {
    const __m256 wj = _mm256_set1_ps(w[j]);
    const float* r = rows + j * n + i;
    for (int v = 0; v < V; ++v) acc[v] = _mm256_fmadd_ps(wj, _mm256_loadu_ps(r + 8 * v), acc[v]);
  }
  for (int v = 0; v < V; ++v) _mm256_storeu_ps(out + i + 8 * v, acc[v]);
}

}  // namespace

void weighted_rows(const float* w, const float* rows, int64_t count, int64_t n, float* out) {
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) weighted_columns<4>(w, rows, count, n, i, out);
  for (; i + 16 <= n; i += 16) weighted_columns<2>(w, rows, count, n, i, out);
  for (; i + 8 <= n; i += 8) weighted_columns<1>(w, rows, count, n, i, out);
  for (; i < n; ++i) {
    float s = 0;
    for (int64_t j = 0; j < count; ++j) s += w[j] * rows[j * n + i];
    out[i] = s;
  }
}

}  // namespace foresight
