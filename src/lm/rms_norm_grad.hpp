// RMSNorm y = x * s * w with s = 1 / sqrt(mean(x^2) + eps), its forward pass keeping s, and
// its gradients. The forward is the engine's kernel (core/kernels.hpp), so training and
// inference normalise identically.
#pragma once
#include <cstdint>

namespace foresight {

// rows vectors of length n, one after the other; scale[r] receives s of row r.
void rms_norm_forward(const float* x, const float* w, int64_t rows, int64_t n, double eps, float* y,
                      float* scale);
// y from x and the kept scales: the backward pass recomputes a norm's output instead of
// keeping it for every layer.
void rms_norm_recompute(const float* x, const float* w, const float* scale, int64_t rows, int64_t n,
                        float* y);
// dx += dL/dx (the norm sits on a residual branch, so its input gradient adds to the
// residual's) and dw += dL/dw, given dy = dL/dy.
void rms_norm_backward(const float* x, const float* w, const float* scale, const float* dy,
                       int64_t rows, int64_t n, float* dx, float* dw);

// One vector: dx = dL/dx (dx may be dy: it is overwritten in place) and dw_partial += dL/dw.
// dx_i = s w_i dy_i - s^3 / n * x_i * sum_j x_j w_j dy_j.
void rms_norm_vector_backward(const float* x, const float* w, float scale, const float* dy,
                              int64_t n, float* dx, float* dw_partial);

}  // namespace foresight
