#include "lm/parallel_gemm.hpp"

#include <algorithm>

#include <cblas.h>
#include <omp.h>

namespace foresight {

void sgemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc) {
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, trans_a == Trans::Yes ? CblasTrans : CblasNoTrans,
              trans_b == Trans::Yes ? CblasTrans : CblasNoTrans, static_cast<int>(m),
              static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b,
              static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

void parallel_sgemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                    const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                    int64_t ldc) {
  // Cut the longer side of C, in multiples of 16 so that every block keeps whole SIMD panels.
  const bool by_rows = m >= n;
  const int64_t extent = by_rows ? m : n;
  const int most = static_cast<int>(std::min<int64_t>(omp_get_max_threads(), (extent + 15) / 16));
  if (most <= 1 || omp_in_parallel())
    return sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
#pragma omp parallel num_threads(most)
  {
    const int threads = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t per_thread = (extent / threads + 15) / 16 * 16;
    const int64_t begin = std::min(extent, t * per_thread);
    const int64_t end = t == threads - 1 ? extent : std::min(extent, begin + per_thread);
    if (by_rows) {
      // rows [begin, end) of op(A) and of C
      const float* a_block = trans_a == Trans::No ? a + begin * lda : a + begin;
      sgemm(trans_a, trans_b, end - begin, n, k, alpha, a_block, lda, b, ldb, beta, c + begin * ldc,
            ldc);
    } else {
      // columns [begin, end) of op(B) and of C
      const float* b_block = trans_b == Trans::No ? b + begin : b + begin * ldb;
      sgemm(trans_a, trans_b, m, end - begin, k, alpha, a, lda, b_block, ldb, beta, c + begin, ldc);
    }
  }
}

}  // namespace foresight
