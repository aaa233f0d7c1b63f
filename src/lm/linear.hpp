// A linear layer y = x W^T (W: [out, in], Hugging Face's layout) and its two gradients, over
// the rows of a packed batch. Call under a SingleThreadedBlas.
#pragma once
#include "lm/parallel_gemm.hpp"

namespace foresight {

// y[n, out] = x[n, in] W^T, or y += x W^T when accumulate (a residual connection).
inline void linear_forward(const float* x, int64_t n, const float* w, int64_t out, int64_t in,
                           float* y, bool accumulate = false) {
  parallel_sgemm(Trans::No, Trans::Yes, n, out, in, 1.0f, x, in, w, in, accumulate ? 1.0f : 0.0f, y,
                 out);
}

// dx[n, in] = dy[n, out] W.
inline void linear_backward_input(const float* dy, int64_t n, const float* w, int64_t out,
                                  int64_t in, float* dx) {
  parallel_sgemm(Trans::No, Trans::No, n, in, out, 1.0f, dy, out, w, in, 0.0f, dx, in);
}

// dW[out, in] += dy^T x.
inline void linear_backward_weight(const float* dy, const float* x, int64_t n, int64_t out,
                                   int64_t in, float* dw) {
  parallel_sgemm(Trans::Yes, Trans::No, out, in, n, 1.0f, dy, out, x, in, 1.0f, dw, in);
}

}  // namespace foresight
