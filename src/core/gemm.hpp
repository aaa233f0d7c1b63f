// y[n, W.rows] = x[n, W.cols] * W^T for weights in F32, BF16 or F16.
// A few rows (decoding) go through a hand-written AVX2 kernel that streams the weights once
// in their stored type; more rows go through OpenBLAS sgemm on fp32 blocks of W.
#pragma once
#include "core/matrix.hpp"

namespace foresight {

void matmul(const Matrix& w, const float* x, int64_t n, float* y);

// The row count up to which matmul streams the weights instead of calling sgemm.
constexpr int64_t kGemvMaxRows = 4;

}  // namespace foresight
