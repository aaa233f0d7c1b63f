#include "core/gemm.hpp"

#include <immintrin.h>
#include <algorithm>
#include <vector>

#include <cblas.h>

#include "core/error.hpp"
#include "core/q8_kernels.hpp"
#include "core/simd.hpp"

namespace foresight {

namespace {

template <DType T>
inline float load1(const char* w, int64_t c) {
  if constexpr (T == DType::F32) return reinterpret_cast<const float*>(w)[c];
  else if constexpr (T == DType::BF16) return bf16_to_f32(reinterpret_cast<const uint16_t*>(w)[c]);
  else return f16_to_f32(reinterpret_cast<const uint16_t*>(w)[c]);
}

// Sixteen weights of a row from column c, as two vectors of fp32. For BF16 the cheapest
// widening (interleaving with zeros) yields columns {0-3, 8-11} and {4-7, 12-15}; the input
// is permuted the same way once per call (permute_for_bf16) so the dot products still match.
template <DType T>
inline void load16(const char* w, int64_t c, __m256& lo, __m256& hi) {
  if constexpr (T == DType::F32) {
    lo = _mm256_loadu_ps(reinterpret_cast<const float*>(w) + c);
    hi = _mm256_loadu_ps(reinterpret_cast<const float*>(w) + c + 8);
  } else if constexpr (T == DType::BF16) {
    const __m256i h = _mm256_loadu_si256(
        reinterpret_cast<const __m256i*>(reinterpret_cast<const uint16_t*>(w) + c));
    lo = _mm256_castsi256_ps(_mm256_unpacklo_epi16(_mm256_setzero_si256(), h));
    hi = _mm256_castsi256_ps(_mm256_unpackhi_epi16(_mm256_setzero_si256(), h));
  } else {
    const auto* p = reinterpret_cast<const uint16_t*>(w) + c;
    lo = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    hi = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 8)));
  }
}

// x reordered per block of 16 columns as load16<BF16> widens the weights.
void permute_for_bf16(const float* x, int64_t n, int64_t cols, float* out) {
  const int64_t vec_end = cols / 16 * 16;
  for (int64_t j = 0; j < n; ++j) {
    const float* src = x + j * cols;
    float* dst = out + j * cols;
    for (int64_t c = 0; c < vec_end; c += 16) {
      for (int k = 0; k < 4; ++k) {
        dst[c + k] = src[c + k];
        dst[c + 4 + k] = src[c + 8 + k];
        dst[c + 8 + k] = src[c + 4 + k];
        dst[c + 12 + k] = src[c + 12 + k];
      }
    }
    for (int64_t c = vec_end; c < cols; ++c) dst[c] = src[c];
  }
}

// x as the kernels read it: BF16 weights widen into a permuted column order.
template <DType T>
const float* kernel_input(const float* x, int64_t n, int64_t cols) {
  if constexpr (T != DType::BF16) return x;
  thread_local std::vector<float> permuted;
  permuted.resize(static_cast<size_t>(n * cols));
  permute_for_bf16(x, n, cols, permuted.data());
  return permuted.data();
}

// One weight row against N input rows (`cols` apart), y_j = y[j * y_stride]. With A
// accumulators per input row the sum of a row depends on A alone, never on N or on the other
// rows: matmul_rowwise relies on that to match a row multiplied alone.
template <DType T, int N, int A>
[[gnu::always_inline]] inline void dot_rows(const char* row, int64_t cols, const float* x, float* y,
                                            int64_t y_stride) {
  const int64_t vec_end = cols / 32 * 32, tail16 = cols / 16 * 16;
  __m256 acc[N][A];
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j)
#pragma GCC unroll 4
    for (int a = 0; a < A; ++a) acc[j][a] = _mm256_setzero_ps();
  int64_t c = 0;
  for (; c < vec_end; c += 32) {
    __m256 wv[4];
    load16<T>(row, c, wv[0], wv[1]);
    load16<T>(row, c + 16, wv[2], wv[3]);
#pragma GCC unroll 4
    for (int j = 0; j < N; ++j)
#pragma GCC unroll 4
      for (int k = 0; k < 4; ++k)
        acc[j][k % A] =
            _mm256_fmadd_ps(wv[k], _mm256_loadu_ps(x + j * cols + c + 8 * k), acc[j][k % A]);
  }
  for (; c < tail16; c += 16) {
    __m256 lo, hi;
    load16<T>(row, c, lo, hi);
#pragma GCC unroll 4
    for (int j = 0; j < N; ++j) {
      acc[j][0] = _mm256_fmadd_ps(lo, _mm256_loadu_ps(x + j * cols + c), acc[j][0]);
      acc[j][1 % A] = _mm256_fmadd_ps(hi, _mm256_loadu_ps(x + j * cols + c + 8), acc[j][1 % A]);
    }
  }
  for (int j = 0; j < N; ++j) {
    __m256 sum = acc[j][0];
    for (int a = 1; a < A; ++a) sum = _mm256_add_ps(sum, acc[j][a]);
    float s = hsum(sum);
    for (int64_t cc = tail16; cc < cols; ++cc) s += load1<T>(row, cc) * x[j * cols + cc];
    y[j * y_stride] = s;
  }
}

// One weight row against N input rows: dot_rows, or the Q8_0 kernel of the CPU's instruction
// set (whose sums do not depend on N either).
template <DType T, int N, int A>
inline void row_dot(const char* row, int64_t cols, const float* x, float* y, int64_t y_stride) {
  if constexpr (T == DType::Q8_0) q8_kernels().dot(N, row, cols, x, y, y_stride);
  else dot_rows<T, N, A>(row, cols, x, y, y_stride);
}

// A single row gets four accumulators to hide the FMA latency; several rows are independent
// chains already.
constexpr int kSingleRowAccumulators = 4;

// N input rows against every weight row: each weight is loaded once and used N times, so the
// kernel runs at the speed of streaming W from memory.
template <DType T, int N>
void gemv(const Matrix& w, const float* x, float* y) {
  constexpr int A = N == 1 ? kSingleRowAccumulators : 2;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < w.rows; ++r) row_dot<T, N, A>(w.row_ptr(r), w.cols, x, y + r, w.rows);
}

// Rows as gemv<T, 1> computes them, two at a time (two rows' accumulators and a 32-column
// slice of W fill the 16 vector registers). A task takes a block of one product's weight rows
// small enough to stay in cache while every pair of input rows passes over it, so W is read
// from memory about once per call.
template <DType T>
void gemm_rowwise(std::initializer_list<Product> products, const float* x, int64_t n) {
  constexpr int A = kSingleRowAccumulators;
  const Matrix& first = products.begin()->w;
  x = kernel_input<T>(x, n, first.cols);
  const int64_t block = std::max<int64_t>(1, (int64_t{32} << 10) / first.row_bytes());
  struct Task {
    const Product* product;
    int64_t r0, r1;
  };
  thread_local std::vector<Task> tasks;  // the caller's: workers only read it
  tasks.clear();
  for (const Product& p : products)
    for (int64_t r0 = 0; r0 < p.w.rows; r0 += block)
      tasks.push_back({&p, r0, std::min(p.w.rows, r0 + block)});
  const std::vector<Task>& all = tasks;
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t t = 0; t < all.size(); ++t) {
    const Matrix& w = all[t].product->w;
    float* y = all[t].product->y;
    const int64_t r0 = all[t].r0, r1 = all[t].r1;
    int64_t j = 0;
    for (; j + 2 <= n; j += 2)
      for (int64_t r = r0; r < r1; ++r)
        row_dot<T, 2, A>(w.row_ptr(r), w.cols, x + j * w.cols, y + j * w.rows + r, w.rows);
    if (j < n)
      for (int64_t r = r0; r < r1; ++r)
        row_dot<T, 1, A>(w.row_ptr(r), w.cols, x + j * w.cols, y + j * w.rows + r, w.rows);
  }
}

template <DType T>
void gemv_rows(const Matrix& w, const float* x, int64_t n, float* y) {
  x = kernel_input<T>(x, n, w.cols);
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
                static_cast<int>(rows), static_cast<int>(w.cols), 1.0f, x, static_cast<int>(w.cols),
                block_f32, static_cast<int>(w.cols), 0.0f, y + r0, static_cast<int>(w.rows));
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
      case DType::Q8_0: gemv_rows<DType::Q8_0>(w, x + i * w.cols, rows, y + i * w.rows); break;
      default: gemv_rows<DType::F16>(w, x + i * w.cols, rows, y + i * w.rows); break;
    }
  }
}

void matmul_rowwise(std::initializer_list<Product> products, const float* x, int64_t n) {
  const Matrix& first = products.begin()->w;
  for (const Product& p : products)
    if (p.w.dtype != first.dtype || p.w.cols != first.cols)
      fail("matmul_rowwise: products of {} [{} columns] and {} [{} columns] weights together",
           dtype_name(first.dtype), first.cols, dtype_name(p.w.dtype), p.w.cols);
  switch (first.dtype) {
    case DType::F32: return gemm_rowwise<DType::F32>(products, x, n);
    case DType::BF16: return gemm_rowwise<DType::BF16>(products, x, n);
    case DType::Q8_0: return gemm_rowwise<DType::Q8_0>(products, x, n);
    default: return gemm_rowwise<DType::F16>(products, x, n);
  }
}

void matmul_rowwise(const Matrix& w, const float* x, int64_t n, float* y) {
  matmul_rowwise({{w, y}}, x, n);
}

void matmul(std::initializer_list<Product> products, const float* x, int64_t n) {
  for (const Product& p : products) matmul(p.w, x, n, p.y);
}

}  // namespace foresight
