#include "core/kernels.hpp"

#include <immintrin.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

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

namespace {

// expf's constants: N / ln 2 with N = 32 table entries, the rounding shift 1.5 * 2^52 / 32...
constexpr double kInvLn2N = 0x1.71547652b82fep+5, kShift = 0x1.8p+52;
// ...the cubic's coefficients scaled by N^-3, N^-2, N^-1...
constexpr double kC0 = 0x1.c6af84b912394p-20, kC1 = 0x1.ebfce50fac4f3p-13,
                 kC2 = 0x1.62e42ff0c52d6p-6;

// ...and the bits of 2^(i/32) less i << 47, so that adding k << 47 gives 2^(k/32).
struct Exp2Table {
  alignas(32) int64_t bits[32];
  Exp2Table() {
    for (int i = 0; i < 32; ++i) {
      const double v = std::exp2(i / 32.0);
      std::memcpy(&bits[i], &v, sizeof v);
      bits[i] -= int64_t{i} << 47;
    }
  }
};
const Exp2Table kExp2Table;

// Four lanes of expf's main path.
inline __m128 exp4(__m128 x) {
  const __m256d xd = _mm256_cvtps_pd(x);
  const __m256d inv = _mm256_set1_pd(kInvLn2N), shift = _mm256_set1_pd(kShift);
  __m256d kd = _mm256_fmadd_pd(inv, xd, shift);
  const __m256i ki = _mm256_castpd_si256(kd);
  kd = _mm256_sub_pd(kd, shift);
  const __m256d r = _mm256_fmsub_pd(inv, xd, kd);
  const __m256d z = _mm256_fmadd_pd(r, _mm256_set1_pd(kC0), _mm256_set1_pd(kC1));
  const __m256i index = _mm256_and_si256(ki, _mm256_set1_epi64x(31));
  const __m256i t = _mm256_add_epi64(
      _mm256_i64gather_epi64(reinterpret_cast<const long long*>(kExp2Table.bits), index, 8),
      _mm256_slli_epi64(ki, 47));
  const __m256d r2 = _mm256_mul_pd(r, r);
  __m256d y = _mm256_fmadd_pd(r, _mm256_set1_pd(kC2), _mm256_set1_pd(1.0));
  y = _mm256_fmadd_pd(z, r2, y);
  return _mm256_cvtpd_ps(_mm256_mul_pd(y, _mm256_castsi256_pd(t)));
}

}  // namespace

void exp_inplace(float* x, int64_t n) {
  // |x| >= 88 (exponent field and mantissa as expf tests them) leaves the main path
  const __m256i magnitude = _mm256_set1_epi32(0x7fffffff), limit = _mm256_set1_epi32(0x42afffff);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256i bits = _mm256_and_si256(_mm256_castps_si256(v), magnitude);
    const int outside = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(bits, limit)));
    const __m256 e =
        _mm256_set_m128(exp4(_mm256_extractf128_ps(v, 1)), exp4(_mm256_castps256_ps128(v)));
    if (outside != 0) {  // rare: the library handles overflow, underflow, inf and NaN
      alignas(32) float in[8], out[8];
      _mm256_store_ps(in, v);
      _mm256_store_ps(out, e);
      for (int lane = 0; lane < 8; ++lane)
        if (outside >> lane & 1) out[lane] = std::exp(in[lane]);
      std::copy(out, out + 8, x + i);
    } else {
      _mm256_storeu_ps(x + i, e);
    }
  }
  for (; i < n; ++i) x[i] = std::exp(x[i]);
}

namespace {

// The largest of n values, eight lanes at a time: exact in any order (of -0 and +0 either may
// come back, and exp cannot tell x - 0 from x + 0).
float max_of(const float* x, int64_t n) {
  __m256 m = _mm256_set1_ps(-INFINITY);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + i));
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  float max = _mm_cvtss_f32(_mm_max_ss(h, _mm_movehdup_ps(h)));
  for (; i < n; ++i) max = std::max(max, x[i]);
  return max;
}

// softmax of R rows `stride` apart, writing each row's logsumexp. The normalisers are sums in
// order, one dependent add after another; R of them interleave.
template <int R>
void softmax_of(float* x, int64_t n, int64_t stride, double* logsumexp) {
  float max[R];
  double sum[R];
  for (int r = 0; r < R; ++r) {
    float* row = x + r * stride;
    max[r] = max_of(row, n);
    for (int64_t i = 0; i < n; ++i) row[i] -= max[r];
    exp_inplace(row, n);
    sum[r] = 0;
  }
  for (int64_t i = 0; i < n; ++i)
    for (int r = 0; r < R; ++r) sum[r] += x[r * stride + i];
  for (int r = 0; r < R; ++r) {
    const auto inv = static_cast<float>(1.0 / sum[r]);
    float* row = x + r * stride;
    for (int64_t i = 0; i < n; ++i) row[i] *= inv;
    if (logsumexp) logsumexp[r] = static_cast<double>(max[r]) + std::log(sum[r]);
  }
}

}  // namespace

double softmax(float* x, int64_t n) {
  double logsumexp = 0;
  softmax_of<1>(x, n, n, &logsumexp);
  return logsumexp;
}

void softmax_rows(float* x, int rows, int64_t n, int64_t stride) {
  int r = 0;
  for (; r + 2 <= rows; r += 2) softmax_of<2>(x + r * stride, n, stride, nullptr);
  if (r < rows) softmax_of<1>(x + r * stride, n, stride, nullptr);
}

void silu_mul(float* gate, const float* up, int64_t n) {
  thread_local std::vector<float> e;
  e.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) e[i] = -gate[i];
  exp_inplace(e.data(), n);
  for (int64_t i = 0; i < n; ++i) gate[i] = gate[i] / (1.0f + e[i]) * up[i];
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
[[gnu::always_inline]] inline void dot_four_rows(const float* q, const float* const r[4], int64_t n,
                                                 __m128 sums[Q]) {
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
void weighted_columns(const float* w, int64_t w_stride, const float* rows, int64_t count, int64_t n,
                      int64_t i, float* out) {
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
void weighted_rows_of(const float* w, int64_t w_stride, const float* rows, int64_t count, int64_t n,
                      float* out) {
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

void dot_rows(const float* q, int queries, const float* rows, int64_t count, int64_t n, float scale,
              float* out, int64_t out_stride) {
  if (n % 8 != 0) {
    for (int g = 0; g < queries; ++g)
      for (int64_t j = 0; j < count; ++j)
        out[g * out_stride + j] = dot(q + g * n, rows + j * n, n) * scale;
    return;
  }
  int g = 0;
  for (; g + 2 <= queries; g += 2)
    dot_rows_of<2>(q + g * n, rows, count, n, scale, out + g * out_stride, out_stride);
  if (g < queries)
    dot_rows_of<1>(q + g * n, rows, count, n, scale, out + g * out_stride, out_stride);
}

void weighted_rows(const float* w, int64_t w_stride, int queries, const float* rows, int64_t count,
                   int64_t n, float* out) {
  int g = 0;
  for (; g + 2 <= queries; g += 2)
    weighted_rows_of<2>(w + g * w_stride, w_stride, rows, count, n, out + g * n);
  if (g < queries) weighted_rows_of<1>(w + g * w_stride, w_stride, rows, count, n, out + g * n);
}

}  // namespace foresight
