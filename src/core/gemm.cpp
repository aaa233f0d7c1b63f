#include "core/gemm.hpp"

#include <immintrin.h>
#include <algorithm>
#include <array>
#include <vector>

#include <cblas.h>

#include "core/error.hpp"
#include "core/q8_kernels.hpp"
#include "core/simd.hpp"
#include "core/single_threaded_blas.hpp"

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

// Bytes of a row of `cols` inputs quantised for Q8_0: its fp32 scales, then its int8 values.
constexpr int64_t q8_input_row_bytes(int64_t cols) { return cols / int64_t{kQ8Block} * 4 + cols; }

// x as the kernels of T read it: n rows of `row_bytes` each, one after the other. BF16 weights
// widen into a permuted column order; Q8_0 weights meet x quantised (quantise_q8_input), each
// row its scales then its values; the others read x itself.
struct KernelInput {
  const char* data;
  int64_t row_bytes;
  const char* row(int64_t j) const { return data + j * row_bytes; }
};

template <DType T>
KernelInput kernel_input(const float* x, int64_t n, int64_t cols) {
  if constexpr (T == DType::F32 || T == DType::F16)
    return {reinterpret_cast<const char*>(x), cols * 4};
  thread_local std::vector<char> converted;
  if constexpr (T == DType::BF16) {
    converted.resize(static_cast<size_t>(n * cols) * 4);
    permute_for_bf16(x, n, cols, reinterpret_cast<float*>(converted.data()));
    return {converted.data(), cols * 4};
  } else {
    const int64_t blocks = cols / int64_t{kQ8Block}, row_bytes = q8_input_row_bytes(cols);
    converted.resize(static_cast<size_t>(n * row_bytes));
    for (int64_t j = 0; j < n; ++j) {
      char* row = converted.data() + j * row_bytes;
      quantise_q8_input(x + j * cols, cols, reinterpret_cast<float*>(row),
                        reinterpret_cast<int8_t*>(row + blocks * 4));
    }
    return {converted.data(), row_bytes};
  }
}

// Input rows j < N of a Q8_0 product, as the kernel takes them.
template <int N>
std::array<Q8Input, N> q8_rows(const char* x, int64_t cols) {
  const int64_t blocks = cols / int64_t{kQ8Block}, row_bytes = q8_input_row_bytes(cols);
  std::array<Q8Input, N> rows;
  for (int j = 0; j < N; ++j)
    rows[j] = {reinterpret_cast<const float*>(x + j * row_bytes),
               reinterpret_cast<const int8_t*>(x + j * row_bytes + blocks * 4)};
  return rows;
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
inline void row_dot(const char* row, int64_t cols, const char* x, float* y, int64_t y_stride) {
  if constexpr (T == DType::Q8_0)
    q8_kernels().dot(N, row, cols, q8_rows<N>(x, cols).data(), y, y_stride);
  else dot_rows<T, N, A>(row, cols, reinterpret_cast<const float*>(x), y, y_stride);
}

// A single row gets four accumulators to hide the FMA latency; several rows are independent
// chains already.
constexpr int kSingleRowAccumulators = 4;

// N input rows against every weight row: each weight is loaded once and used N times, so the
// kernel runs at the speed of streaming W from memory.
template <DType T, int N>
void gemv(const Matrix& w, const char* x, float* y) {
  constexpr int A = N == 1 ? kSingleRowAccumulators : 2;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < w.rows; ++r) row_dot<T, N, A>(w.row_ptr(r), w.cols, x, y + r, w.rows);
}

// Rows [r0, r1) of one product's weights: a task of the threads that share the products.
struct RowBlock {
  const Product* product;
  int64_t r0, r1;
};

// Every product cut into blocks of `block` weight rows, in order. The caller's list: workers
// only read it.
const std::vector<RowBlock>& row_blocks(std::initializer_list<Product> products, int64_t block) {
  thread_local std::vector<RowBlock> blocks;
  blocks.clear();
  for (const Product& p : products)
    for (int64_t r0 = 0; r0 < p.w.rows; r0 += block)
      blocks.push_back({&p, r0, std::min(p.w.rows, r0 + block)});
  return blocks;
}

// Rows as gemv<T, 1> computes them, R at a time: two for the float types (two rows'
// accumulators and a 32-column slice of W fill the 16 vector registers), four for Q8_0 (whose
// kernel keeps only each row's two sums). A task takes a block of one product's weight rows
// small enough to stay in cache while every R input rows pass over it, so W is read from
// memory about once per call.
template <DType T>
void gemm_rowwise(std::initializer_list<Product> products, const float* x_f32, int64_t n) {
  constexpr int A = kSingleRowAccumulators, R = T == DType::Q8_0 ? 4 : 2;
  const Matrix& first = products.begin()->w;
  const KernelInput x = kernel_input<T>(x_f32, n, first.cols);
  const std::vector<RowBlock>& all =
      row_blocks(products, std::max<int64_t>(1, (int64_t{32} << 10) / first.row_bytes()));
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t t = 0; t < all.size(); ++t) {
    const Matrix& w = all[t].product->w;
    float* y = all[t].product->y;
    const int64_t r0 = all[t].r0, r1 = all[t].r1;
    int64_t j = 0;
    for (; j + R <= n; j += R)
      for (int64_t r = r0; r < r1; ++r)
        row_dot<T, R, A>(w.row_ptr(r), w.cols, x.row(j), y + j * w.rows + r, w.rows);
    for (; j < n; ++j)
      for (int64_t r = r0; r < r1; ++r)
        row_dot<T, 1, A>(w.row_ptr(r), w.cols, x.row(j), y + j * w.rows + r, w.rows);
  }
}

template <DType T>
void gemv_rows(const Matrix& w, const float* x_f32, int64_t n, float* y) {
  const char* x = kernel_input<T>(x_f32, n, w.cols).data;
  switch (n) {
    case 1: return gemv<T, 1>(w, x, y);
    case 2: return gemv<T, 2>(w, x, y);
    case 3: return gemv<T, 3>(w, x, y);
    default: return gemv<T, 4>(w, x, y);
  }
}

// More input rows than the GEMV takes: OpenBLAS's sgemm, single-threaded, on blocks of
// kSgemmRows weight rows (converted to fp32 first unless F32), the blocks of every product
// shared among the OpenMP threads. The cut is fixed, not one block per thread: on some CPUs
// OpenBLAS rounds an element differently as the cut or its own thread count changes, which
// would give each core count (and each number of MPI ranks) its own numbers. A block's
// conversion is O(rows cols) against its O(n rows cols) product.
constexpr int64_t kSgemmRows = 512;

void sgemm_blocked(std::initializer_list<Product> products, const float* x, int64_t n) {
  const SingleThreadedBlas one_thread;
  const std::vector<RowBlock>& all = row_blocks(products, kSgemmRows);
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t t = 0; t < all.size(); ++t) {
    const Matrix& w = all[t].product->w;
    const int64_t r0 = all[t].r0, rows = all[t].r1 - all[t].r0;
    const auto* block = reinterpret_cast<const float*>(w.row_ptr(r0));
    if (w.dtype != DType::F32) {
      thread_local std::vector<float> converted;
      converted.resize(static_cast<size_t>(rows * w.cols));
      convert_to_f32(w.dtype, w.row_ptr(r0), converted.data(), static_cast<size_t>(rows * w.cols));
      block = converted.data();
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n),
                static_cast<int>(rows), static_cast<int>(w.cols), 1.0f, x, static_cast<int>(w.cols),
                block, static_cast<int>(w.cols), 0.0f, all[t].product->y + r0,
                static_cast<int>(w.rows));
  }
}

}  // namespace

void matmul(const Matrix& w, const float* x, int64_t n, float* y) {
  if (n > kGemvMaxRows) return matmul({{w, y}}, x, n);
  switch (w.dtype) {
    case DType::F32: return gemv_rows<DType::F32>(w, x, n, y);
    case DType::BF16: return gemv_rows<DType::BF16>(w, x, n, y);
    case DType::Q8_0: return gemv_rows<DType::Q8_0>(w, x, n, y);
    default: return gemv_rows<DType::F16>(w, x, n, y);
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
  if (n <= kGemvMaxRows) {
    for (const Product& p : products) matmul(p.w, x, n, p.y);
  } else if (products.begin()->w.dtype == DType::Q8_0) {
    matmul_rowwise(products, x, n);  // the integer kernel beats dequantising W for sgemm
  } else {
    sgemm_blocked(products, x, n);
  }
}

}  // namespace foresight
