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

// Scores four rows r[0..3] against Q queries q + g * n in one pass (n a multiple of 8). Each
// (query, row) sum depends only on that query and row, so it is the same whichever rows and
// queries share the pass.
template <int Q>
[[gnu::always_inline]] inline void dot_four_rows(const float* q, const float* const r[4],
                                                 int64_t n, __m128 sums[Q]) {
  __m256 a[Q][4];
  for (int g = 0; g < Q; ++g)
    for (int k = 0; k < 4; ++k) a[g][k] = _mm256_setzero_ps();
  for (int64_t i = 0; i < n; i += 8) {
    const __m256 r0 = _mm256_loadu_ps(r[0] + i), r1 = _mm256_loadu_ps(r[1] + i),
                 r2 = _mm256_loadu_ps(r[2] + i), r3 = _mm256_loadu_ps(r[3] + i);
    for (int g = 0; g < Q; ++g) {
      const __m256 qv = _mm256_loadu_ps(q + g * n + i);
      a[g][0] = _mm256_fmadd_ps(qv, r0, a[g][0]);
      a[g][1] = _mm256_fmadd_ps(qv, r1, a[g][1]);
      a[g][2] = _mm256_fmadd_ps(qv, r2, a[g][2]);
      a[g][3] = _mm256_fmadd_ps(qv, r3, a[g][3]);
    }
  }
  // pairwise adds leave each row's sum of lanes 0-3 in the low half, of 4-7 in the high
  for (int g = 0; g < Q; ++g) {
    const __m256 h =
        _mm256_hadd_ps(_mm256_hadd_ps(a[g][0], a[g][1]), _mm256_hadd_ps(a[g][2], a[g][3]));
    sums[g] = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  }
}

// dot_rows for Q queries at once.
template <int Q>
void dot_rows_of(const float* q, const float* rows, int64_t count, int64_t n, float scale,
                 float* out, int64_t out_stride) {
  const __m128 scales = _mm_set1_ps(scale);
  for (int64_t j = 0; j < count; j += 4) {
    // the last pass repeats its last row in the missing places, so a key's score never depends
    // on how many keys are visible
    const float* r[4];
    for (int64_t k = 0; k < 4; ++k) r[k] = rows + std::min(j + k, count - 1) * n;
    __m128 sums[Q];
    dot_four_rows<Q>(q, r, n, sums);
    for (int g = 0; g < Q; ++g) {
      const __m128 scaled = _mm_mul_ps(sums[g], scales);
      float* o = out + g * out_stride + j;
      if (j + 4 <= count) {
        _mm_storeu_ps(o, scaled);
      } else {
        alignas(16) float tail[4];
        _mm_store_ps(tail, scaled);
        std::copy(tail, tail + (count - j), o);
      }
    }
  }
}

// Columns [i, i + 8 * V) of weighted_rows for Q queries, in Q x V accumulators.
template <int V, int Q>
void weighted_columns(const float* w, int64_t w_stride, const float* rows, int64_t count,
                      int64_t n, int64_t i, float* out) {
  __m256 acc[Q][V];
  for (int g = 0; g < Q; ++g)
    for (int v = 0; v < V; ++v) acc[g][v] = _mm256_setzero_ps();
  for (int64_t j = 0; j < count; ++j) {
    const float* r = rows + j * n + i;
    for (int g = 0; g < Q; ++g) {
      const __m256 wj = _mm256_set1_ps(w[g * w_stride + j]);
      for (int v = 0; v < V; ++v)
        acc[g][v] = _mm256_fmadd_ps(wj, _mm256_loadu_ps(r + 8 * v), acc[g][v]);
    }
  }
  for (int g = 0; g < Q; ++g)
    for (int v = 0; v < V; ++v) _mm256_storeu_ps(out + g * n + i + 8 * v, acc[g][v]);
}

// weighted_rows for Q queries: blocks of up to 48 columns (Q x 6 accumulators fill the
// registers), then the columns past the last multiple of 8 one at a time.
template <int Q>
void weighted_rows_of(const float* w, int64_t w_stride, const float* rows, int64_t count,
                      int64_t n, float* out) {
  int64_t i = 0;
  for (; i + 48 <= n; i += 48) weighted_columns<6, Q>(w, w_stride, rows, count, n, i, out);
  switch ((n - i) / 8) {
    case 5: weighted_columns<5, Q>(w, w_stride, rows, count, n, i, out); break;
    case 4: weighted_columns<4, Q>(w, w_stride, rows, count, n, i, out); break;
    case 3: weighted_columns<3, Q>(w, w_stride, rows, count, n, i, out); break;
    case 2: weighted_columns<2, Q>(w, w_stride, rows, count, n, i, out); break;
    case 1: weighted_columns<1, Q>(w, w_stride, rows, count, n, i, out); break;
    default: break;
  }
  for (i = n / 8 * 8; i < n; ++i)
    for (int g = 0; g < Q; ++g) {
      float s = 0;
      for (int64_t j = 0; j < count; ++j) s += w[g * w_stride + j] * rows[j * n + i];
      out[g * n + i] = s;
    }
}

}  // namespace

void dot_rows(const float* q, int queries, const float* rows, int64_t count, int64_t n,
              float scale, float* out, int64_t out_stride) {
  if (n % 8 != 0) {
    for (int g = 0; g < queries; ++g)
      for (int64_t j = 0; j < count; ++j)
        out[g * out_stride + j] = dot(q + g * n, rows + j * n, n) * scale;
    return;
  }
  int g = 0;
  for (; g + 2 <= queries; g += 2)
    dot_rows_of<2>(q + g * n, rows, count, n, scale, out + g * out_stride, out_stride);
  if (g < queries) dot_rows_of<1>(q + g * n, rows, count, n, scale, out + g * out_stride, out_stride);
}

void weighted_rows(const float* w, int64_t w_stride, int queries, const float* rows,
                   int64_t count, int64_t n, float* out) {
  int g = 0;
  for (; g + 2 <= queries; g += 2)
    weighted_rows_of<2>(w + g * w_stride, w_stride, rows, count, n, out + g * n);
  if (g < queries) weighted_rows_of<1>(w + g * w_stride, w_stride, rows, count, n, out + g * n);
}

}  // namespace foresight
