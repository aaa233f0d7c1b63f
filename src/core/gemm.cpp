#include "core/gemm.hpp"

#include <algorithm>
#include <immintrin.h>
#include <vector>

#include <cblas.h>

namespace foresight {

namespace {

// Eight weights of row `w` starting at column `c`, as fp32.
template <DType T>
inline __m256 load8(const char* w, int64_t c) {
  if constexpr (T == DType::F32) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(w) + c);
  } else if constexpr (T == DType::BF16) {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(reinterpret_cast<const uint16_t*>(w) + c));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  } else {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(reinterpret_cast<const uint16_t*>(w) + c));
    return _mm256_cvtph_ps(h);
  }
}

template <DType T>
inline float load1(const char* w, int64_t c) {
  if constexpr (T == DType::F32) return reinterpret_cast<const float*>(w)[c];
  else if constexpr (T == DType::BF16) return bf16_to_f32(reinterpret_cast<const uint16_t*>(w)[c]);
  else return f16_to_f32(reinterpret_cast<const uint16_t*>(w)[c]);
}

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// N input rows against every weight row: each weight is loaded once and used N times, so the
// kernel runs at the speed of streaming W from memory.
template <DType T, int N>
void gemv(const Matrix& w, const float* x, float* y) {
  const int64_t cols = w.cols, vec_end = cols / 16 * 16;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < w.rows; ++r) {
    const char* row = w.row_ptr(r);
    __m256 acc0[N], acc1[N];
    for (int j = 0; j < N; ++j) acc0[j] = acc1[j] = _mm256_setzero_ps();
    for (int64_t c = 0; c < vec_end; c += 16) {
      __m256 w0 = load8<T>(row, c), w1 = load8<T>(row, c + 8);
      for (int j = 0; j < N; ++j) {
        acc0[j] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x + j * cols + c), acc0[j]);
        acc1[j] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x + j * cols + c + 8), acc1[j]);
      }
    }
    for (int j = 0; j < N; ++j) {
      float s = hsum(_mm256_add_ps(acc0[j], acc1[j]));
      for (int64_t c = vec_end; c < cols; ++c) s += load1<T>(row, c) * x[j * cols + c];
      y[j * w.rows + r] = s;
    }
  }
}

template <DType T>
void gemv_rows(const Matrix& w, const float* x, int64_t n, float* y) {
  switch (n) {
    case 1: return gemv<T, 1>(w, x, y);
    case 2: return gemv<T, 2>(w, x, y);
    case 3: return gemv<T, 3>(w, x, y);
    default: return gemv<T, 4>(w, x, y);
  }
}

void sgemm_blocked(const Matrix& w, const float* x, int64_t n, float* y) {
  if (w.dtype == DType::F32) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n),
                static_cast<int>(w.rows), static_cast<int>(w.cols), 1.0f, x,
                static_cast<int>(w.cols), static_cast<const float*>(w.data),
                static_cast<int>(w.cols), 0.0f, y, static_cast<int>(w.rows));
    return;
  }
  // Convert W a block of rows at a time: the conversion is O(rows*cols) against the
  // O(n*rows*cols) product, and the block stays small whatever the matrix.
  const int64_t block = std::max<int64_t>(1, (int64_t{1} << 20) / w.cols);
  thread_local std::vector<float> scratch;
  scratch.resize(static_cast<size_t>(std::min(block, w.rows) * w.cols));
  float* block_f32 = scratch.data();  // the caller's buffer: workers must not use their own
  for (int64_t r0 = 0; r0 < w.rows; r0 += block) {
    const int64_t rows = std::min(block, w.rows - r0);
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; ++r)
      convert_to_f32(w.dtype, w.row_ptr(r0 + r), block_f32 + r * w.cols,
                     static_cast<size_t>(w.cols));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n),
                static_cast<int>(rows), static_cast<int>(w.cols), 1.0f, x,
                static_cast<int>(w.cols), block_f32, static_cast<int>(w.cols), 0.0f, y + r0,
                static_cast<int>(w.rows));
  }
}

}  // namespace

void matmul(const Matrix& w, const float* x, int64_t n, float* y) {
  if (n > kGemvMaxRows) return sgemm_blocked(w, x, n, y);
  for (int64_t i = 0; i < n; i += kGemvMaxRows) {
    const int64_t rows = std::min(kGemvMaxRows, n - i);
    switch (w.dtype) {
      case DType::F32: gemv_rows<DType::F32>(w, x + i * w.cols, rows, y + i * w.rows); break;
      case DType::BF16: gemv_rows<DType::BF16>(w, x + i * w.cols, rows, y + i * w.rows); break;
      default: gemv_rows<DType::F16>(w, x + i * w.cols, rows, y + i * w.rows); break;
    }
  }
}

}  // namespace foresight
