// Matrix products of training, threaded by OpenMP rather than by OpenBLAS: every product is
// cut into one block of output rows (or columns) per thread, each a single-threaded sgemm.
// The same threads then run the attention, whose many small products must be single-threaded
// inside the OpenMP region; one threading model for all keeps the cores busy without
// oversubscription, and the arithmetic of every output element fixed for a thread count.
#pragma once
#include <cstdint>

#include "core/single_threaded_blas.hpp"

namespace foresight {

enum class Trans { No, Yes };

// Row-major C[m, n] = alpha * op(A) op(B) + beta * C, as cblas_sgemm, split over the OpenMP
// threads; single-threaded inside a parallel region. Call it under a SingleThreadedBlas.
void parallel_sgemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                    const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                    int64_t ldc);

// The single-threaded product, for use inside parallel regions.
void sgemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc);

}  // namespace foresight
